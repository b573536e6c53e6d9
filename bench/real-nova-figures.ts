// The figures of `npm run bench:real-nova` (bench/real-nova.ts), pure so they are tested: what kind
// of Nova request the counting proxy saw, each procedure's RTO and overhead over the limit measured
// in the same run, Nova requests per evacuated instance, the exactly-once check, and the report.
import type { Machine } from './machine.ts';
import { NOVA_REQUESTS_PER_INSTANCE_GOAL } from './report.ts';

export const REQUEST_KINDS = [
  'evacuate',
  'other server action',
  'os-migrations',
  'server',
  'servers list',
  'os-services',
  'other',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestCounts = Partial<Record<RequestKind, number>>;

/** The kind of a request to nova-api, from its method, path (with query) and body. */
export function requestKind(method: string, url: string, body: string): RequestKind {
  const segments = (url.split('?')[0] ?? '').split('/').filter(Boolean);
  // The API's version prefix (…/v2.1/servers), when the endpoint carries one.
  const [resource, id, sub] = /^v2(\.1)?$/.test(segments[0] ?? '') ? segments.slice(1) : segments;
  if (resource === 'servers' && sub === 'action' && method === 'POST')
    return body.includes('"evacuate"') ? 'evacuate' : 'other server action';
  if (resource === 'servers')
    return id === undefined || id === 'detail' ? 'servers list' : 'server';
  if (resource === 'os-migrations') return 'os-migrations';
  if (resource === 'os-services') return 'os-services';
  return 'other';
}

/** What was counted between two readings of the proxy's counts. */
export function countsBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  const counts: RequestCounts = {};
  for (const kind of REQUEST_KINDS) {
    const delta = (after[kind] ?? 0) - (before[kind] ?? 0);
    if (delta > 0) counts[kind] = delta;
  }
  return counts;
}

export function totalRequests(counts: RequestCounts): number {
  return REQUEST_KINDS.reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
}

/** One procedure's recovery of one crashed compute; epoch milliseconds. */
export interface ProcedureRun {
  procedure: string;
  host: string;
  /** Servers on the host when it crashed. */
  servers: number;
  reportedAt: number;
  /** The machine's 1-minute load average at the report: it is shared with other work. */
  loadAtReport: number;
  fencingProofAt: number;
  /** The first evacuation Nova recorded (its migration's created_at). */
  firstEvacuationAt: number;
  /** The bench's first listing that showed the last server's evacuation done. */
  lastLandedAt: number;
  /** When the procedure itself knew every landing (only a procedure that verifies them). */
  verifiedAt?: number;
  /** Requests the procedure sent to Nova, from the report until it was done. */
  requests: RequestCounts;
  /** Per server of the host, the evacuation migrations Nova lists for it. */
  evacuationsPerServer: readonly number[];
  /** Servers ACTIVE on another host at the end. */
  activeElsewhere: number;
}

export interface Figures {
  rtoS: number;
  /** Beyond the limit's RTO, in seconds and as a fraction of it. */
  overheadS: number;
  overLimit: number;
  requestsPerInstance: number;
}

export function figuresOf(run: ProcedureRun, limit: ProcedureRun): Figures {
  const rtoS = (run.lastLandedAt - run.reportedAt) / 1000;
  const limitS = (limit.lastLandedAt - limit.reportedAt) / 1000;
  return {
    rtoS,
    overheadS: rtoS - limitS,
    overLimit: rtoS / limitS - 1,
    requestsPerInstance: totalRequests(run.requests) / Math.max(1, run.servers),
  };
}

/** "1 each" when every server was evacuated exactly once; otherwise how far from it. */
export function exactlyOnce(evacuationsPerServer: readonly number[]): string {
  const off = evacuationsPerServer.filter((count) => count !== 1);
  if (evacuationsPerServer.length > 0 && off.length === 0) return '1 each';
  return `**not once**: ${off.length} of ${evacuationsPerServer.length} servers (${off.map(String).join(', ')})`;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

function breakdown(counts: RequestCounts): string {
  return REQUEST_KINDS.filter((kind) => (counts[kind] ?? 0) > 0)
    .map((kind) => `${counts[kind] ?? 0} ${kind}`)
    .join(', ');
}

function row(run: ProcedureRun, limit: ProcedureRun): string {
  const figures = figuresOf(run, limit);
  const isLimit = run === limit;
  const overhead = isLimit
    ? '-'
    : `${figures.overheadS >= 0 ? '+' : ''}${figures.overheadS.toFixed(2)} s (${(figures.overLimit * 100).toFixed(0)} %)`;
  const since = (at: number): string => seconds(at - run.reportedAt);
  // The limit is no procedure: it neither verifies nor fails to.
  const verified = isLimit ? '-' : run.verifiedAt === undefined ? 'never' : since(run.verifiedAt);
  return (
    `| ${run.procedure} | **${figures.rtoS.toFixed(2)}** | ${overhead} | ${figures.requestsPerInstance.toFixed(2)} ` +
    `| ${exactlyOnce(run.evacuationsPerServer)} | ${run.activeElsewhere} of ${run.servers} | ${since(run.fencingProofAt)} ` +
    `| ${since(run.firstEvacuationAt)} | ${verified} | ${breakdown(run.requests)} | ${run.loadAtReport.toFixed(1)} |`
  );
}

export interface RealNovaResults {
  date: string;
  machine: Machine;
  durationMs: number;
  loadAtEnd: number;
  servers: number;
  /** The three runs, in the order they ran; every RTO is measured against the limit's. */
  lazarus: ProcedureRun;
  pacemaker: ProcedureRun;
  limit: ProcedureRun;
}

/** The goals of issue 17 this run can judge (docs/design.md#recovery-speed). */
export function goalsOf(results: RealNovaResults): string[] {
  const lazarus = figuresOf(results.lazarus, results.limit);
  const pacemaker = figuresOf(results.pacemaker, results.limit);
  const verdict = (isMet: boolean): string => (isMet ? 'met' : '**missed**');
  const faster = pacemaker.rtoS / lazarus.rtoS;
  return [
    `- Lazarus's RTO at most the Pacemaker re-enactment's: Pacemaker ÷ Lazarus = ${faster.toFixed(2)}×, ${verdict(faster >= 1)}.`,
    `- At most ${NOVA_REQUESTS_PER_INSTANCE_GOAL} Nova requests per evacuated instance for Lazarus: ${lazarus.requestsPerInstance.toFixed(2)}, ${verdict(lazarus.requestsPerInstance <= NOVA_REQUESTS_PER_INSTANCE_GOAL)}.`,
  ];
}

/** A procedure faster than every evacuate at once says something about this Nova, not about the procedure. */
export function belowTheLimit(results: RealNovaResults): string[] {
  const faster = [results.lazarus, results.pacemaker].filter(
    (run) => figuresOf(run, results.limit).overheadS < 0,
  );
  if (faster.length === 0) return [];
  return [
    `- **The measured limit is no lower bound in this run**: ${faster.map((run) => run.procedure).join(' and ')} landed every server sooner than every evacuate sent at once did: this Nova landed a flood of evacuations later than the same evacuations sent a few at a time. Why (one conductor and one scheduler worker, placement claims on one destination, a shared CPU) is not measured here (\`npm run bench:nova-capacity\` measures landings per level of evacuations in flight). A negative overhead measures that, not a procedure faster than Nova.`,
  ];
}

export function realNovaReport(results: RealNovaResults): string {
  const { machine } = results;
  return [
    `# Lazarus on a real Nova, ${results.date}`,
    '',
    `\`npm run bench:real-nova -- --servers ${results.servers}\` — one run, ${(results.durationMs / 60_000).toFixed(1)} minutes in all.`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAtStart.toFixed(1)} at the start and ${results.loadAtEnd.toFixed(1)} at the end (shared with other work).`,
    '',
    `Real-Nova tier: Debian's Nova 26.2.2 (Zed), fake virt driver, one conductor and one scheduler worker, nova-api in a threaded WSGI server, IPMI BMCs (\`ipmi_sim\`) whose power is each nova-compute process; six computes: three with ${results.servers} servers each, and for each recovery an empty spare of its own where its servers land (every other compute disabled meanwhile). For each procedure in turn, on its own host: the host's nova-compute is SIGKILLed (its BMC still reads On) and the clock starts with the report. Seconds are real.`,
    '',
    `- **Lazarus**: unmodified, with its defaults: a Temporal dev server, the worker process (\`npm run worker\`'s entry point) with a lazarus.yaml of IPMI BMCs, the report sent by signal-with-start; "verified" is its last evacuation workflow's close, landing proven.`,
    `- **Pacemaker (re-enacted)**: \`bench/baselines/pacemaker.ts\` unchanged, with fence_ipmilan's power-off and status read through \`ipmitool\`: fence, force down, disable, NovaEvacuate's next 10 s monitor, every evacuate sent one after the other, no check of any landing.`,
    `- **Physical limit**: measured, not modelled: one IPMI power-off and reads of the status until Off (no pause), one PUT forcing the service down, every evacuate sent at once, nothing else. What Nova and this machine allow with no orchestrator at all.`,
    '',
    `RTO: from the report to the last server landed, as the bench sees it in Nova: its own os-migrations listing of the host every 100 ms (migration \`done\`), then each server checked ACTIVE on another host. Nova requests: every request the procedure sent to nova-api from the report until it was done (Lazarus: its evacuations closed), counted by a loopback proxy in front of nova-api that only the procedures go through; per evacuated instance.`,
    '',
    '| procedure | RTO (s) | over the limit | Nova requests per instance | evacuations per server | ACTIVE elsewhere | fencing proven (s) | first evacuation in Nova (s) | every landing verified by the procedure (s) | requests by kind | load at the report |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...[results.lazarus, results.pacemaker, results.limit].map((run) => row(run, results.limit)),
    '',
    ...goalsOf(results),
    ...belowTheLimit(results),
    '',
  ].join('\n');
}
