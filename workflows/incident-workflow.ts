// The incident of one failed host, step by step as docs/design.md#the-incident tells it:
// corroborate, be admitted by the storm guard, fence with proof, force down, select, evacuate each
// instance exactly once, report, and re-admit the repaired host. Started or joined by health
// checkers with signal-with-start on ID incident/<host> (docs/design.md#i5-one-incident-per-host).
import { allHandlersFinished, condition, continueAsNew } from '@temporalio/workflow';
import { forceDownComputeService, listInstancesOnHost } from './activity-options.ts';
import { admitThroughStormGuard, listenToStormGuard, tellStormGuardDone } from './admission.ts';
import { corroborate, isCorroborationRequired } from './corroborate-failure.ts';
import { NO_CORROBORATION } from '../domain/corroboration.ts';
import {
  DEFAULT_EVACUATION_POLICY,
  planEvacuation,
  policyKeys,
} from '../domain/evacuation-policy.ts';
import { evacuateAll } from './evacuate-host.ts';
import { openLandingDesk } from './landing-watch.ts';
import { fenceOrAskOperator, handleOperatorChoices } from './fencing-with-operator.ts';
import type { IncidentInput, IncidentState } from '../contracts/incident-messages.ts';
import { incidentOutcome } from '../domain/incident-progress.ts';
import type { Incident } from './incident-record.ts';
import { openIncident } from './incident-record.ts';
import type { ReadmissionDesk } from './readmission.ts';
import { openReadmissionDesk } from './readmission.ts';
import { suppressReportsAfterAbort } from './report-suppression.ts';
import { openRetryDesk, untilAnswered } from './wait-out-outages.ts';

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const corroboration = input.corroboration ?? NO_CORROBORATION;
  const isCorroborationNeeded = isCorroborationRequired(corroboration);
  const isAdmissionRequired = input.isAdmissionRequired !== false;
  const incident = openIncident(
    input,
    input.carried !== undefined
      ? 'AwaitingReadmission'
      : isCorroborationNeeded
        ? 'Corroborating'
        : isAdmissionRequired
          ? 'Admitting'
          : 'Fencing',
  );
  handleOperatorChoices(incident);
  listenToStormGuard(incident);
  const board = openRetryDesk(incident);
  const landings = openLandingDesk(incident.state.host, board);
  const readmissionDesk = openReadmissionDesk(incident, board);
  const { host, incidentId } = incident.state;
  // A run continued as new while waiting: the host was fenced and evacuated by an earlier run.
  if (input.carried !== undefined) return awaitReadmission(incident, readmissionDesk, input);

  if (isCorroborationNeeded) {
    const corroborated = await corroborate(incident, corroboration);
    if (corroborated === 'aborted') return closeAborted(incident, input, false);
    if (corroborated !== 'corroborated') return incident.close('NotCorroborated');
  }
  if (isAdmissionRequired && !(await admitThroughStormGuard(incident, board)))
    return closeAborted(incident, input, true);

  if (incident.state.phase !== 'Fencing') incident.enter('Fencing');
  const fencing = await fenceOrAskOperator(incident);
  if (fencing === 'aborted') return closeAborted(incident, input, isAdmissionRequired);

  incident.enter('ForcingDown');
  const forcedDown = await untilAnswered(
    `force down the nova-compute service of ${host}`,
    () =>
      forceDownComputeService(
        host,
        { incidentId, startedAt: incident.state.incidentStartedAt },
        fencing,
      ),
    board,
  );
  incident.state.forcedDown = forcedDown;

  incident.enter('Selecting');
  const policy = input.policy ?? DEFAULT_EVACUATION_POLICY;
  const instances = await untilAnswered(
    `list the instances of ${host}`,
    () => listInstancesOnHost(host, policyKeys(policy)),
    board,
  );
  const plan = planEvacuation(instances, policy);

  incident.enter('Evacuating');
  // An earlier incident of this failure may still be evacuating: its failure names the evacuations.
  const wasCancelled = await evacuateAll(incident, plan, input, {
    failure: forcedDown.failure,
    landings,
    board,
  });
  if (wasCancelled) return closeAfterAdmission(incident, isAdmissionRequired, 'Cancelled');

  incident.conclude(incidentOutcome(incident.state));
  if (isAdmissionRequired) await tellStormGuardDone();
  return awaitReadmission(incident, readmissionDesk, input);
}

/**
 * The host stays fenced, forced down and disabled until it is re-admitted. A long wait continues as
 * new with the incident's state (docs/design.md#bounded-history): same incident id, same table,
 * still AwaitingReadmission; signal-with-start and Updates on incident/<host> reach the new run.
 */
async function awaitReadmission(
  incident: Incident,
  readmissionDesk: ReadmissionDesk,
  input: IncidentInput,
): Promise<IncidentState> {
  // A flapping host (the storm guard said so at admission) waits for an operator's readmit.
  const isFlapping = incident.state.admission?.noAutomaticReadmissionBecause !== undefined;
  const waited = await readmissionDesk.readmitWhenAsked(
    isFlapping ? { ...input, readmission: 'operator' } : input,
  );
  if (waited === 'continueAsNew')
    // No handler runs and no readmit is owed: readmitWhenAsked stops waiting only then.
    return continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.state });
  // The readmit Update answers once it sees the closing phase.
  await condition(allHandlersFinished);
  return incident.state;
}

/** An operator aborted: the host's reports are suppressed for a while, then the incident ends. */
async function closeAborted(
  incident: Incident,
  input: IncidentInput,
  wasAdmitted: boolean,
): Promise<IncidentState> {
  await suppressReportsAfterAbort(incident, input);
  return closeAfterAdmission(incident, wasAdmitted, 'Aborted');
}

/** Ends the incident; the storm guard forgets it, so a pause no longer needs to reach it. */
async function closeAfterAdmission(
  incident: Incident,
  wasAdmitted: boolean,
  outcome: Parameters<Incident['close']>[0],
): Promise<IncidentState> {
  if (wasAdmitted) await tellStormGuardDone();
  return incident.close(outcome);
}
