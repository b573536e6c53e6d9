// How reports from this deployment start incidents: on the task queue its workers serve, with the
// incident settings of its configuration (policy, corroboration, storm guard, re-admission). One
// place, shared by the receiver and `lazarus report`.
import type { LazarusConfig } from '../config/load-config.ts';
import type { IncidentStartOptions } from './send-host-report.ts';

export function incidentStartOptions(
  config: Pick<LazarusConfig, 'temporal' | 'incident'>,
): IncidentStartOptions {
  return { taskQueue: config.temporal.taskQueue, settings: config.incident };
}
