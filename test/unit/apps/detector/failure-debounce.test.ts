import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../../apps/detector/detector-rules.ts';
import {
  debounceFailures,
  markUnreported,
  type HostTrack,
} from '../../../../apps/detector/failure-debounce.ts';

const failing: Assessment = { kind: 'failing', evidence: 'Nova reports its nova-compute down' };
const healthy: Assessment = { kind: 'healthy' };
const ignored: Assessment = { kind: 'ignored', why: 'its nova-compute is forced down' };
const unknown: Assessment = { kind: 'unknown', why: 'Nova cannot reach its cell' };
const DEBOUNCE_MS = 30_000;

/** Feeds one host's assessments, one poll every 10 s, and returns the polls at which it was reported. */
function reportedAt(sequence: Assessment[]): number[] {
  let tracks: ReadonlyMap<string, HostTrack> = new Map();
  const polls: number[] = [];
  sequence.forEach((assessment, poll) => {
    const step = debounceFailures(
      tracks,
      new Map([['cmp-07', assessment]]),
      poll * 10_000,
      DEBOUNCE_MS,
    );
    tracks = step.tracks;
    if (step.reports.length > 0) polls.push(poll);
  });
  return polls;
}

describe("the detector's debounce", () => {
  it('reports a host once its rules held on every poll for the debounce time, and only once', () => {
    expect(reportedAt([healthy, failing, failing, failing, failing, failing, failing])).toEqual([
      4,
    ]);
  });

  it('starts over when the host looks healthy in between, so a flapping host is not reported', () => {
    expect(
      reportedAt([failing, failing, failing, healthy, failing, failing, failing, healthy, failing]),
    ).toEqual([]);
  });

  it('does not report a host again while an incident forces it down, nor after, while it stays down', () => {
    expect(
      reportedAt([
        failing,
        failing,
        failing,
        failing,
        ignored,
        ignored,
        failing,
        failing,
        failing,
        failing,
      ]),
    ).toEqual([3]);
  });

  it('reports it again after it was seen healthy in between', () => {
    expect(
      reportedAt([failing, failing, failing, failing, healthy, failing, failing, failing, failing]),
    ).toEqual([3, 8]);
  });

  it('neither restarts nor forgets the debounce on a poll that could not tell', () => {
    expect(reportedAt([failing, unknown, failing, failing])).toEqual([3]);
  });

  it('reports at the first poll when the debounce is 0, with the evidence and for how long it held', () => {
    const step = debounceFailures(
      new Map(),
      new Map<string, Assessment>([
        ['cmp-07', failing],
        ['cmp-08', healthy],
      ]),
      0,
      0,
    );
    expect(step.reports).toEqual([
      { host: 'cmp-07', reason: 'Nova reports its nova-compute down, for 0 s' },
    ]);
  });

  it('logs changes only: when a host starts failing, and when it recovers within the debounce', () => {
    const first = debounceFailures(new Map(), new Map([['cmp-07', failing]]), 0, DEBOUNCE_MS);
    expect(first.notes).toEqual([
      'cmp-07: Nova reports its nova-compute down; reporting it in 30 s unless it recovers',
    ]);
    const second = debounceFailures(
      first.tracks,
      new Map([['cmp-07', failing]]),
      10_000,
      DEBOUNCE_MS,
    );
    expect(second.notes).toEqual([]);
    expect(
      debounceFailures(second.tracks, new Map([['cmp-07', healthy]]), 20_000, DEBOUNCE_MS).notes,
    ).toEqual(['cmp-07: healthy again after 20 s, within the debounce; not reported']);
  });

  it('reports again at the next poll after a report that did not reach Temporal', () => {
    const reported = debounceFailures(new Map(), new Map([['cmp-07', failing]]), 0, 0);
    expect(reported.reports).toHaveLength(1);
    expect(
      debounceFailures(reported.tracks, new Map([['cmp-07', failing]]), 10_000, 0).reports,
    ).toEqual([]);
    expect(
      debounceFailures(
        markUnreported(reported.tracks, 'cmp-07'),
        new Map([['cmp-07', failing]]),
        10_000,
        0,
      ).reports,
    ).toHaveLength(1);
  });

  it("forgets hosts that left Nova's list", () => {
    const first = debounceFailures(new Map(), new Map([['cmp-07', failing]]), 0, DEBOUNCE_MS);
    expect(debounceFailures(first.tracks, new Map(), 10_000, DEBOUNCE_MS).tracks.size).toBe(0);
  });
});
