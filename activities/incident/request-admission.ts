// An incident asks the storm guard (workflows/storm-guard-workflow.ts, by its contract) whether it
// may fence its host (docs/design.md#i6-storm-guard). The guard is started on first use by
// signal-with-start, so no deployment step can be forgotten; it answers the incident with a signal.
// Nova's count of nova-compute services down goes with the request, so the guard can hold incidents
// past a fraction of the fleet.
import { activityInfo, Context } from '@temporalio/activity';
import { LazarusError } from '../errors.ts';
import type { NovaClient } from '../openstack/index.ts';
import type {
  AdmissionRequest,
  StormGuardLimits,
  StormGuardWorkflow,
} from '../../contracts/storm-guard-messages.ts';
import {
  admissionRequestSignal,
  stormGuardStartOptions,
  stormGuardWorkflowId,
} from '../../contracts/storm-guard-messages.ts';

export interface AdmissionAsked {
  guardWorkflowId: string;
  fleet: AdmissionRequest['fleet'];
}

/** Services that read down, or are forced down, or are this incident's host (its heartbeats may not have timed out yet). */
async function fleetView(nova: NovaClient, host: string): Promise<AdmissionRequest['fleet']> {
  const services = await nova.listComputeServices();
  const down = services.filter(
    (service) =>
      service.host === host ||
      service.status === 'UNKNOWN' ||
      service.state === 'down' ||
      service.isForcedDown,
  );
  return { computeServices: services.length, down: down.length };
}

export async function askStormGuard(
  nova: NovaClient,
  { host, incidentId }: { host: string; incidentId: string },
  limits: StormGuardLimits,
): Promise<AdmissionAsked> {
  const { workflowExecution, taskQueue } = activityInfo();
  if (workflowExecution === undefined)
    throw new LazarusError(
      'ConfigurationInvalid',
      'requestAdmission runs only within an incident workflow, which the storm guard answers',
    );
  const guardWorkflowId = stormGuardWorkflowId(taskQueue);
  const request: AdmissionRequest = {
    incidentWorkflowId: workflowExecution.workflowId,
    incidentId,
    host,
    fleet: await fleetView(nova, host),
    limits,
  };
  await Context.current().client.workflow.signalWithStart<StormGuardWorkflow, [AdmissionRequest]>(
    'stormGuardWorkflow',
    {
      ...stormGuardStartOptions(taskQueue),
      signal: admissionRequestSignal,
      signalArgs: [request],
    },
  );
  return { guardWorkflowId, fleet: request.fleet };
}
