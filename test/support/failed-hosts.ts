// Integration test files run side by side against one dev server, where a host's incident is
// incident/<host> whatever simulated cloud the host belongs to: two files that failed the same host
// would join each other's incidents (docs/design.md#i5-one-incident-per-host). So each file takes the hosts it fails from here,
// and their names follow from this list's order and counts; a new file appends a line.
const FAILED_HOSTS_PER_FILE = [
  ['power-loss', 2],
  ['fencing-unproven', 2],
  ['cancellation', 1],
  ['taken-evacuation-id', 1],
  ['nova-2-93', 1],
  ['storm-guard', 4],
  ['pause', 2],
  ['corroboration', 2],
  ['evacuate-rate', 1],
  ['free', 3],
  ['incident-commands', 1],
  ['guard-commands', 3],
  ['worker-metrics', 1],
  ['detector', 4],
  ['detector-process', 1],
  ['evacuation-interrupted', 2],
  ['nova-outage', 2],
  ['two-incidents-of-one-failure', 1],
  ['readmission-race', 1],
  ['abort-while-corroborating', 2],
  ['approve-while-paused', 1],
  ['storm-guard-closed', 1],
  ['storm-guard-closed-other', 1],
  ['report-suppression', 2],
  ['reporter-tokens', 1],
  ['continue-as-new', 1],
  ['nova-outage-admission', 1],
  ['nova-outage-rotation', 1],
  ['report-burst', 1],
  ['nova-outage-readmit', 1],
  ['nova-outage-unforce', 1],
  ['landing-watch', 2],
  ['replay-command', 1],
  ['rolling-upgrade', 1],
  ['payload-encryption', 2],
  ['worker-killed-mid-evacuation', 1],
  ['landing-watch-ticks', 1],
  ['evacuate-rate-backlog', 1],
  ['nova-queue', 1],
  ['flapping-guard', 2],
  ['landing-watch-patience', 1],
  ['monitoring-metrics', 2],
  ['capacity-aware', 2],
  ['fencing-levels', 1],
] as const;

type TestFile = Exclude<(typeof FAILED_HOSTS_PER_FILE)[number][0], 'free'>;

/** The simulator's name of its n-th host (1-based), as the clouds of these tests have fewer than 100. */
const hostName = (n: number): string => `cmp-${String(n).padStart(2, '0')}`;

/** The hosts `file` may fail; a cloud of the test needs at least as many hosts as the last one's number. */
export function failedHostsOf(file: TestFile): string[] {
  let next = 1;
  for (const [name, count] of FAILED_HOSTS_PER_FILE) {
    if (name === file) return Array.from({ length: count }, (_, index) => hostName(next + index));
    next += count;
  }
  throw new Error(`${file} has no hosts in FAILED_HOSTS_PER_FILE`);
}
