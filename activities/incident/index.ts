// The activities of an incident, in the order of docs/design.md#the-incident: fence, force down,
// list, evacuate, verify, re-admit. Inputs and results are names, ids and plain facts, never a secret
// (docs/design.md#i7-no-secrets-in-history-or-logs); failures are the typed ApplicationFailures of
// activities/errors.ts.
import { LazarusError } from '../errors.ts';
import type { FencingProof } from '../fencing/index.ts';
import type { NegotiatedMicroversion, NovaClient } from '../openstack/index.ts';
import { heartbeatWhile, withTypedFailures } from './activity-support.ts';
import { asEvacuateAttempt } from './evacuate-attempt.ts';
import type { RecoveryCapacity, RecoveryCapacityInput } from './recovery-capacity.ts';
import { readRecoveryCapacity } from './recovery-capacity.ts';
import type {
  ComputeServiceHealth,
  ForcedDown,
  ManualFencing,
  ServiceUpdated,
} from './compute-service.ts';
import { changeService, checkHealth, forceDown } from './compute-service.ts';
import type { EvacuateInstanceInput, EvacuationStart } from './evacuate-instance.ts';
import { evacuateOnce } from './evacuate-instance.ts';
import type { EarlierEvacuation } from './earlier-evacuation.ts';
import { awaitEarlierEvacuation } from './earlier-evacuation.ts';
import { findClosedIncidents } from './closed-incidents.ts';
import { suppressHostReports } from './suppress-reports.ts';
import type { EvacuationEnd } from './evacuation-end.ts';
import { describeEvacuationEnd } from './evacuation-end.ts';
import { gatherEvidence } from './failure-evidence.ts';
import { fenceHostThroughItsBmc } from './fence-host-activity.ts';
import type { IncidentDependencies } from './incident-dependencies.ts';
import type { InstanceOnHost } from './instances-on-host.ts';
import { instanceOnHost } from './instances-on-host.ts';
import type { InstanceStart } from './start-instance.ts';
import { startUnlessActive } from './start-instance.ts';
import type { AdmissionAsked } from './request-admission.ts';
import { askStormGuard } from './request-admission.ts';
import type { LandingReport, VerifyLandingInput } from './verify-landing.ts';
import { verifyLanding } from './verify-landing.ts';
import type { WatchLandingsInput } from './watch-landings.ts';
import { watchLandings } from './watch-landings.ts';
import type { SeenLanding } from '../../contracts/evacuation-messages.ts';
import type { FailureEvidence } from '../../domain/corroboration.ts';
import type { HostFailure } from '../../domain/host-failure.ts';
import { DEFAULT_STORM_GUARD_LIMITS } from '../../contracts/storm-guard-messages.ts';
import type { ReportSuppression, RunningIncident } from '../../contracts/storm-guard-messages.ts';

export type {
  AdmissionAsked,
  ComputeServiceHealth,
  EarlierEvacuation,
  EvacuationEnd,
  EvacuateInstanceInput,
  EvacuationStart,
  ForcedDown,
  InstanceOnHost,
  InstanceStart,
  LandingReport,
  ManualFencing,
  ServiceUpdated,
  VerifyLandingInput,
  WatchLandingsInput,
};
export type { RecoveryCapacity, RecoveryCapacityInput } from './recovery-capacity.ts';
export type {
  Clock,
  FencingProvider,
  IncidentDependencies,
  NovaProvider,
} from './incident-dependencies.ts';
export {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  NOVA_REPORT_INTERVAL_MS,
  systemClock,
} from './incident-dependencies.ts';

export function createIncidentActivities(dependencies: IncidentDependencies) {
  const { fencing, clock, reportIntervalMs } = dependencies;
  const useNova = async <T>(use: (nova: NovaClient) => Promise<T>): Promise<T> => {
    try {
      return await use(await dependencies.nova.client());
    } catch (error) {
      // Refused credentials may have been rotated since they were read: read them again next time.
      if (error instanceof LazarusError && error.type === 'AuthenticationFailed') {
        await dependencies.nova.forgetCredentials();
      }
      throw error;
    }
  };
  // Heartbeating while Nova answers: an attempt lost with its worker is retried after the heartbeat
  // timeout (workflows/activity-options.ts), not its startToClose.
  const withNova = <T>(use: (nova: NovaClient) => Promise<T>): Promise<T> =>
    withTypedFailures(() => heartbeatWhile(useNova(use)));
  return {
    /** What Nova and the BMC say of the host now, for the corroboration rules; reads only, never fails on what it cannot read. */
    gatherFailureEvidence: (host: string): Promise<FailureEvidence> =>
      withTypedFailures(() => gatherEvidence(() => dependencies.nova.client(), fencing, host)),
    /** Asks the storm guard to admit this incident, starting the guard if it is not running; the answer comes as a signal. */
    requestAdmission: (host: string, incidentId: string): Promise<AdmissionAsked> =>
      withNova((nova) =>
        askStormGuard(
          nova,
          { host, incidentId },
          dependencies.stormGuardLimits ?? DEFAULT_STORM_GUARD_LIMITS,
        ),
      ),
    /** For the storm guard: which of its running and held incidents closed (terminated, cancelled, failed, timed out). */
    findClosedIncidents: (incidents: RunningIncident[]): Promise<string[]> =>
      findClosedIncidents(incidents),
    /** After an operator's abort: the storm guard suppresses the host's reports until the alert resolves, it is lifted, or `until`. */
    suppressHostReports: (
      suppression: Omit<ReportSuppression, 'suppressedReports'>,
    ): Promise<void> => suppressHostReports(suppression),
    /** Powers the host off through its BMC and reads Off back; heartbeats while it polls. */
    fenceHost: (host: string): Promise<FencingProof> =>
      withTypedFailures(() => fenceHostThroughItsBmc(host, fencing)),
    /** Disables and forces down the host's nova-compute in one PUT, then confirms Nova reports it down; returns the failure it is down for. */
    forceDownComputeService: (
      host: string,
      incident: HostFailure,
      fencing: FencingProof | ManualFencing,
    ): Promise<ForcedDown> => withNova((nova) => forceDown(nova, host, incident, fencing)),
    /** Every instance on the host, of every project, as facts for the evacuation policy: of metadata and extra specs, only `keys`. */
    listInstancesOnHost: (host: string, keys: readonly string[]): Promise<InstanceOnHost[]> =>
      withNova(async (nova) =>
        (await nova.listInstancesOnHost(host)).map((instance) => instanceOnHost(instance, keys)),
      ),
    /** What the instances would claim and the other hosts have free (Placement); unknown when Placement cannot be read. */
    readRecoveryCapacity: (input: RecoveryCapacityInput): Promise<RecoveryCapacity> =>
      withNova((nova) => readRecoveryCapacity(nova, () => dependencies.nova.placement(), input)),
    /** Evacuates the instance unless Nova already holds an evacuation of it for this incident. */
    evacuateInstance: (
      input: EvacuateInstanceInput,
    ): Promise<EvacuationStart & { microversion: NegotiatedMicroversion }> =>
      // Its own heartbeats, which the server confirms and which tell the next attempt whether this
      // one may have sent the evacuate (evacuate-attempt.ts).
      withTypedFailures(() =>
        asEvacuateAttempt(
          (attempt) =>
            useNova(async (nova) => ({
              ...(await evacuateOnce(nova, input, attempt)),
              microversion: nova.microversion,
            })),
          input.isAfterFailedCall,
        ),
      ),
    /** Waits for an evacuation workflow an earlier run of the incident started, and returns its outcome. */
    awaitEarlierEvacuation: (workflowId: string): Promise<EarlierEvacuation> =>
      awaitEarlierEvacuation(workflowId),
    /** How an evacuation workflow that closed without an outcome ended: terminated (by whom, why), cancelled, timed out or failed. */
    describeEvacuationEnd: (workflowId: string): Promise<EvacuationEnd> =>
      describeEvacuationEnd(workflowId),
    /** Landed or failed with a reason; EvacuationInProgress (retryable) while Nova is not finished. */
    verifyLanding: (input: VerifyLandingInput): Promise<LandingReport> =>
      withNova((nova) => verifyLanding(nova, input)),
    /** One look at every evacuation of the host in flight: those that landed or failed, judged as verifyLanding judges. */
    watchLandings: (input: WatchLandingsInput): Promise<SeenLanding[]> =>
      withNova((nova) => watchLandings(nova, input)),
    /** Starts an instance that 2.95+ left stopped after its evacuation; verifyLanding with doesEvacuateStopInstances false then proves it ACTIVE. */
    startInstance: (instanceId: string): Promise<InstanceStart> =>
      withNova((nova) => startUnlessActive(nova, instanceId)),
    checkComputeServiceUp: (host: string): Promise<ComputeServiceHealth> =>
      withNova((nova) => checkHealth(nova, host, clock, reportIntervalMs)),
    unforceComputeService: (host: string): Promise<ServiceUpdated> =>
      withNova((nova) => changeService(nova, host, 'unforceComputeService')),
    enableComputeService: (host: string): Promise<ServiceUpdated> =>
      withNova((nova) => changeService(nova, host, 'enableComputeService')),
  };
}
