// lazarus.yaml's `incident` and `stormGuard` sections as the incident workflow and the storm guard
// take them: every report (receiver, CLI, detector) starts incidents with the same settings.
import type { IncidentInput } from '../contracts/incident-messages.ts';
import type { StormGuardLimits } from '../contracts/storm-guard-messages.ts';
import type { ConfigFile } from './config-schema.ts';

/** What a report adds to the host and the reporter to start an incident. */
export type IncidentSettings = Omit<IncidentInput, 'host' | 'reporter' | 'reportedAt'>;

export function incidentSettingsOf(
  file: Pick<ConfigFile, 'incident' | 'stormGuard'>,
): IncidentSettings {
  const { incident } = file;
  const { corroboration } = incident;
  return {
    policy: {
      protect: incident.protect,
      protectionKeys: incident.protectionKeys,
      priorityKey: incident.priorityKey,
      stopped: incident.stopped,
      errored: incident.errored,
      locked: incident.locked,
      imageBackedOnLocalDisk: incident.imageBackedOnLocalDisk,
      shouldRestartRunningInstances: incident.restartRunningInstances,
    },
    evacuationConcurrency: incident.evacuationConcurrency,
    maxEvacuationsInFlight: incident.maxEvacuationsInFlight,
    ...(incident.novaQueueSeconds > 0 ? { novaQueueWaitMs: incident.novaQueueSeconds * 1000 } : {}),
    landingCheckIntervalMs: incident.landingCheckSeconds * 1000,
    ...(incident.capacity.check
      ? { capacityRecheckIntervalMs: incident.capacity.recheckSeconds * 1000 }
      : {}),
    maxEvacuationAttempts: incident.maxEvacuationAttempts,
    readmission: incident.readmission,
    suppressAfterAbortMs: incident.suppressAfterAbortMinutes * 60_000,
    isAdmissionRequired: file.stormGuard.enabled,
    corroboration: {
      isNovaDownRequired: corroboration.novaDown,
      isBmcReachableRequired: corroboration.bmcReachable,
      minReporters: corroboration.minReporters,
      timeoutMs: corroboration.timeoutSeconds * 1000,
      recheckIntervalMs: corroboration.recheckSeconds * 1000,
    },
  };
}

export function stormGuardLimitsOf(file: Pick<ConfigFile, 'stormGuard'>): StormGuardLimits {
  const { stormGuard } = file;
  return {
    maxIncidents: stormGuard.maxIncidents,
    maxFractionDown: stormGuard.maxFractionDown,
    windowMs: stormGuard.windowMinutes * 60_000,
    ...(stormGuard.flapping.failures === 0
      ? {}
      : {
          flapping: {
            failures: stormGuard.flapping.failures,
            windowMs: stormGuard.flapping.withinHours * 3_600_000,
          },
        }),
  };
}
