// Reports joining an incident, one record per reporter (docs/design.md#bounded-history): a health
// checker that repeats itself every few seconds for days raises a count instead of adding an entry,
// so the incident's state, its queries and its result stay the same size.
import type { HostReport, ReporterRecord } from '../contracts/incident-messages.ts';

/** Adds `report`, received at `receivedAt` on the workflow's clock, to the reporter's record. */
export function recordReport(
  records: ReporterRecord[],
  report: HostReport,
  receivedAt: string,
): void {
  const record = records.find((candidate) => candidate.reporter === report.reporter);
  if (record === undefined) {
    records.push({
      reporter: report.reporter,
      count: 1,
      firstReceivedAt: receivedAt,
      lastReceivedAt: receivedAt,
      ...(report.reportedAt === undefined ? {} : { firstReportedAt: report.reportedAt }),
      ...(report.reason === undefined ? {} : { lastReason: report.reason }),
    });
    return;
  }
  record.count += 1;
  record.lastReceivedAt = receivedAt;
  if (report.reason !== undefined) record.lastReason = report.reason;
}

/** `alertmanager ×3, consul`: who reported, and how often when more than once. */
export function describeReporters(records: readonly ReporterRecord[]): string {
  return records
    .map((record) => (record.count === 1 ? record.reporter : `${record.reporter} ×${record.count}`))
    .join(', ');
}
