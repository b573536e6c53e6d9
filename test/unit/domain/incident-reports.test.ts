import { describe, expect, it } from 'vitest';
import type { ReporterRecord } from '../../../contracts/incident-messages.ts';
import { describeReporters, recordReport } from '../../../domain/incident-reports.ts';

const at = (second: number): string => new Date(Date.UTC(2026, 11, 7, 2, 0, second)).toISOString();

describe('recordReport', () => {
  it('keeps one record per reporter however often it repeats itself', () => {
    const records: ReporterRecord[] = [];
    for (let second = 0; second < 50; second += 10)
      recordReport(records, { reporter: 'checker', reason: `down for ${second} s` }, at(second));
    expect(records).toEqual([
      {
        reporter: 'checker',
        count: 5,
        firstReceivedAt: at(0),
        lastReceivedAt: at(40),
        lastReason: 'down for 40 s',
      },
    ]);
  });

  it('keeps the first report time a reporter gave and its latest reason', () => {
    const records: ReporterRecord[] = [];
    recordReport(records, { reporter: 'alertmanager', reportedAt: at(0), reason: 'a' }, at(1));
    recordReport(records, { reporter: 'alertmanager', reportedAt: at(30) }, at(31));
    expect(records[0]).toMatchObject({ firstReportedAt: at(0), lastReason: 'a', count: 2 });
  });

  it('adds a record for each new reporter, in the order they first reported', () => {
    const records: ReporterRecord[] = [];
    recordReport(records, { reporter: 'alertmanager' }, at(0));
    recordReport(records, { reporter: 'consul' }, at(1));
    recordReport(records, { reporter: 'alertmanager' }, at(2));
    expect(records.map((record) => [record.reporter, record.count])).toEqual([
      ['alertmanager', 2],
      ['consul', 1],
    ]);
    expect(describeReporters(records)).toBe('alertmanager ×2, consul');
  });
});
