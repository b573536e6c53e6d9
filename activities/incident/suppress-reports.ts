// An aborted incident asks the storm guard to suppress its host's reports
// (docs/design.md#suppression-after-an-abort). Signal-with-start, like requestAdmission, so the
// suppression is kept even when no incident of the deployment had asked the guard yet.
import { activityInfo, Context } from '@temporalio/activity';
import type {
  ReportSuppression,
  StormGuardWorkflow,
} from '../../contracts/storm-guard-messages.ts';
import {
  stormGuardStartOptions,
  suppressReportsSignal,
} from '../../contracts/storm-guard-messages.ts';

export async function suppressHostReports(
  suppression: Omit<ReportSuppression, 'suppressedReports'>,
): Promise<void> {
  await Context.current().client.workflow.signalWithStart<
    StormGuardWorkflow,
    [Omit<ReportSuppression, 'suppressedReports'>]
  >('stormGuardWorkflow', {
    ...stormGuardStartOptions(activityInfo().taskQueue),
    signal: suppressReportsSignal,
    signalArgs: [suppression],
  });
}
