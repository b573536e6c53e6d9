// The Markdown report of a bench run: medians over repeats, every procedure against the physical
// limit, the re-enactments as ratios, resources and Nova load, the goals, and where Lazarus's time
// goes.
import type { Profile } from './profile.ts';
import type { BenchResults, ScenarioResult } from './results.ts';
import { headlineOf } from './results.ts';
import {
  CRASH_ADDED_RTO_GOAL_S,
  crashFigures,
  resourcesPerThousand,
  workerScaling,
} from './scale-figures.ts';
import { medianOf } from './statistics.ts';

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');
// Two decimals below 10×: a goal of 1.0× is missed by 0.97× and met by 1.004×, both "1.0×" with one.
const ratio = (value: number): string =>
  Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)}×` : '-';
const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const mib = (kb: number | undefined): string => (kb === undefined ? '-' : fixed(kb / 1024, 0));
const percent = (fraction: number): string =>
  Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)} %` : '-';
const rate = (perSecond: number): string =>
  Number.isFinite(perSecond) ? perSecond.toFixed(1) : '-';

/** The scenario whose time is broken down step by step. */
export const PROFILED_SCENARIO = '1x100';
/** The goals of docs/design.md#recovery-speed: Lazarus's excess over the physical limit, per scenario. */
export const OVER_LIMIT_GOALS: Readonly<Record<string, number>> = {
  '1x100': 0.1,
  '1x400': 0.1,
  '20x50': 0.25,
  '50x40': 0.25,
};
export const NOVA_REQUESTS_PER_INSTANCE_GOAL = 3;

export function renderReport(results: BenchResults): string {
  const { settings, machine } = results;
  const { latencies: l, baselineTimeScales: scales } = settings;
  return [
    `# Lazarus recovery benchmark, ${results.date}`,
    '',
    `\`npm run bench\` — ${results.scenarios.length} scenarios, medians of ${results.repeats} repeats each, ${(results.durationMs / 60_000).toFixed(1)} minutes in all.`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAtStart.toFixed(1)} at the start and ${results.loadAtEnd.toFixed(1)} at the end (the machine is shared with other work, which slows Lazarus's worker and dev server).`,
    '',
    '## What was measured',
    '',
    `Each scenario's failed hosts lose power at once on a fresh simulated cloud; the clock starts with the report. Simulated latencies: Nova API ${l.novaApiMs} ms per request (evacuate ${l.evacuateApiMs} ms), Keystone ${l.keystoneMs} ms, Redfish BMC ${l.bmcResponseMs} ms per request, power-off ${l.powerOffMs / 1000} s (for a host still running: the bench's hosts lose their power, so their BMCs read Off at once), scheduling ${l.schedulingMs / 1000} s, rebuild ${l.rebuildMs / 1000} s; Nova's own timings are its defaults (service_down_time 60 s, rpc_response_timeout 60 s); Nova answers like Zed (2.93). Every instance is evacuated by every procedure.`,
    '',
    `**Time.** Every figure is in seconds of the cloud the procedure ran on. Lazarus's and the Pacemaker re-enactment's clouds run ${settings.lazarusTimeScale}× faster than real time: their own costs (Temporal's workflow tasks, the worker, the re-enactment's requests) are real time and count ${settings.lazarusTimeScale} times over, so the scale is kept low (at 20×, as earlier reports ran every cloud, they weighed 20 times over and the bench measured Temporal rather than recovery: bench/README.md, Time). Masakari's cloud runs ${scales.masakari}× faster (its re-enactment sleeps on the simulator's clock; its own requests count ${scales.masakari} times against it). The crash scenario runs in real time, and its figures are real seconds. Each repeat runs the three procedures at the same time, each on its own simulated cloud (the re-enactments mostly wait).`,
    '',
    `- **Lazarus** runs unmodified, with its defaults but for its global rate of evacuate calls, set for this Nova as an operator would after \`npm run bench:nova-capacity\` (${settings.evacuateCallsPerSecond} per cloud second, half again the calibrated capacity; the default of 5 is for a production Nova): a Temporal dev server and the worker process per repeat, at most ${settings.evacuationConcurrency} evacuations of a host being requested at once, at most ${settings.maxEvacuationsInFlight} evacuations of a host accepted and not yet landed, the landing watch's shortest wait a cloud second; storm guard not asked (20 hosts at once would rightly wait for an operator).`,
    `- **Physical limit**: Nova's capacity alone (${settings.novaCapacity.schedulingConcurrency === 1 ? 'one evacuation' : `${settings.novaCapacity.schedulingConcurrency} evacuations`} scheduled at once), no orchestrator's throttle: ForceOff and one read of Off (no transition: the host has no power), one PUT forcing the service down, every evacuate sent at once, scheduled ${settings.novaCapacity.schedulingConcurrency} at a time in order, rebuilds in parallel (\`bench/physical-limit.ts\`). Every procedure meets the same bounded Nova.`,
    `- **Masakari** and **Pacemaker** are *re-enactments* written for this bench from their documented defaults (\`bench/baselines/\`, sources cited there), not their code. Masakari: fence (as its Pacemaker cluster would), disable, 180 s wait, 3 evacuations at a time, each polled every second up to 90 s. Pacemaker: fence, force down, NovaEvacuate's next 10 s monitor, serial evacuate calls, no verification (its RTO is Nova's last landing).`,
    '',
    ...scenarioSections(results),
    ...crashSection(results),
    ...goalsSection(results),
    ...whereTheTimeGoes(results),
  ].join('\n');
}

/** The scenarios' tables, when any scenario ran besides the crash ones. */
function scenarioSections(results: BenchResults): string[] {
  if (results.scenarios.length === 0) return [];
  return [
    '## Recovery time (seconds, medians)',
    '',
    '| scenario | Lazarus RTO | physical limit | Lazarus over the limit | fencing proof (limit) | first evacuate (limit) | evacuates/s | Masakari RTO | Masakari ÷ Lazarus | Pacemaker RTO | Pacemaker ÷ Lazarus |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.scenarios.map(recoveryRow),
    '',
    '## Resources and outcomes (medians)',
    '',
    'Worker figures are summed over its worker processes; CPU is user and system time from the report to the last verified landing (`/proc/<pid>/stat`), peak RSS is `VmHWM`. History counts the incident run that fenced and evacuated and all its evacuations.',
    '',
    '| scenario | workers | worker peak RSS (MiB) | per 1,000 instances (MiB) | worker CPU per 1,000 instances (s) | dev server peak RSS (MiB) | history events per incident | history KB per incident | Nova requests per instance: Lazarus, Masakari, Pacemaker | outcomes (last repeat) | Masakari failed | Pacemaker failed |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.scenarios.map(resourceRow),
    '',
    "## Where Lazarus's time goes (seconds, medians over repeats; per-evacuation figures are medians over instances)",
    '',
    '| scenario | report → incident | incident → fencing proof (limit) | proof → first evacuation | evacuation → evacuate accepted (limit) | accepted → landed in Nova (limit, alone) | landed → verified | first evacuation → last landed (limit) | last landed → last verified |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.scenarios.map((result) => profileRow(result, results)),
    '',
    ...requestKindsSection(results),
    ...workersSection(results),
  ];
}

/**
 * Lazarus's Nova requests per instance by method and route, medians over repeats: which of them a
 * goal of requests per instance is missed by. Kinds in the order of their total, the largest first.
 */
function requestKindsSection(results: BenchResults): string[] {
  const totals = new Map<string, number>();
  for (const run of results.scenarios.flatMap((result) => result.lazarus))
    for (const [kind, perInstance] of Object.entries(run.novaRequestsByKind))
      totals.set(kind, (totals.get(kind) ?? 0) + perInstance);
  const kinds = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([kind]) => kind);
  return [
    "## Where Lazarus's Nova requests go (per instance evacuated, medians)",
    '',
    `| scenario | ${kinds.map((kind) => `\`${kind}\``).join(' | ')} |`,
    `|---|${kinds.map(() => '---|').join('')}`,
    ...results.scenarios.map(
      (result) =>
        `| ${result.scenario.name} | ${kinds
          .map((kind) =>
            fixed(
              medianOf(result.lazarus, (run) => run.novaRequestsByKind[kind] ?? 0),
              2,
            ),
          )
          .join(' | ')} |`,
    ),
    '',
  ];
}

function recoveryRow(result: ScenarioResult): string {
  const headline = headlineOf(result);
  const lazarus = (field: (run: ScenarioResult['lazarus'][number]) => number): number =>
    medianOf(result.lazarus, field);
  return (
    `| ${result.scenario.name} | ${headline.lazarusRtoS.toFixed(2)} | ${headline.limitRtoS.toFixed(2)} | **${percent(headline.overLimit)}** ` +
    `| ${seconds(lazarus((r) => r.fencingProofMs))} (${seconds(result.limit.fencingProofMs)}) | ${seconds(lazarus((r) => r.firstEvacuateMs))} (${seconds(result.limit.firstEvacuateMs)}) ` +
    `| ${rate(lazarus((r) => r.evacuateCallsPerSecond))} | ${headline.masakariRtoS.toFixed(2)} | ${ratio(headline.masakariRtoS / headline.lazarusRtoS)} ` +
    `| ${headline.pacemakerRtoS.toFixed(2)} | ${ratio(headline.pacemakerRtoS / headline.lazarusRtoS)} |`
  );
}
function resourceRow(result: ScenarioResult): string {
  const last = result.lazarus.at(-1);
  const outcomes =
    last === undefined
      ? '-'
      : Object.entries(last.outcomes)
          .map(([outcome, count]) => `${count} ${outcome}`)
          .join(', ');
  const perThousand = resourcesPerThousand(result.lazarus);
  return (
    `| ${result.scenario.name} | ${result.scenario.workers ?? 1} | ${mib(medianOf(result.lazarus, (r) => r.workerPeakRssKb ?? Number.NaN))} ` +
    `| ${mib(perThousand.peakRssKb)} | ${fixed(perThousand.cpuSeconds, 1)} | ${mib(medianOf(result.lazarus, (r) => r.serverPeakRssKb ?? Number.NaN))} ` +
    `| ${medianOf(result.lazarus, (r) => r.historyEventsPerIncident).toFixed(0)} | ${fixed(medianOf(result.lazarus, (r) => r.historyBytesPerIncident) / 1024, 0)} ` +
    `| ${requestsPerInstance(result)} | ${outcomes} ` +
    `| ${medianOf(result.masakari, (r) => r.failedInstances)} | ${medianOf(result.pacemaker, (r) => r.failedInstances)} |`
  );
}

/** Lazarus, Masakari and Pacemaker: median Nova requests per evacuated instance. */
function requestsPerInstance(result: ScenarioResult): string {
  const runs: readonly (readonly { novaRequestsPerInstance: number }[])[] = [
    result.lazarus,
    result.masakari,
    result.pacemaker,
  ];
  return runs
    .map((procedure) => medianOf(procedure, (run) => run.novaRequestsPerInstance).toFixed(2))
    .join(', ');
}

function profileRow(result: ScenarioResult, results: BenchResults): string {
  const { latencies: l } = results.settings;
  const p = (field: keyof Profile): string =>
    seconds(medianOf(result.lazarus, (run) => run.profile[field]));
  return (
    `| ${result.scenario.name} | ${p('reportToIncidentMs')} | ${p('incidentToFencingProofMs')} (${seconds(result.limit.fencingProofMs)}) | ${p('fencingProofToFirstEvacuationMs')} ` +
    `| ${p('evacuationToAcceptedMs')} (${seconds(l.evacuateApiMs)}) | ${p('acceptedToLandedMs')} (${seconds(l.schedulingMs + l.rebuildMs)}) | ${p('landedToVerifiedMs')} ` +
    `| ${p('firstEvacuationToLastLandedMs')} (${seconds(novaTimeMs(result, results.settings))}) | ${p('lastLandedToLastVerifiedMs')} |`
  );
}

/** Nova's own time from the first evacuate to the last landing: every evacuate accepted at once, scheduled in turns, rebuilt in parallel. */
function novaTimeMs(result: ScenarioResult, settings: BenchResults['settings']): number {
  const { limit } = result;
  return limit.rtoMs - limit.firstEvacuateMs + settings.latencies.evacuateApiMs;
}

/** At 1x100: what each step of Lazarus adds over the physical limit, and what would fix the largest. */
function whereTheTimeGoes(results: BenchResults): string[] {
  const result = results.scenarios.find((r) => r.scenario.name === PROFILED_SCENARIO);
  if (result === undefined) return [];
  const { latencies: l } = results.settings;
  const overheadMs = headlineOf(result).overheadS * 1000;
  const p = (field: keyof Profile): number => medianOf(result.lazarus, (run) => run.profile[field]);
  const parts: [string, number, string][] = [
    [
      'report → incident started',
      p('reportToIncidentMs'),
      'signal-with-start and the first workflow task',
    ],
    [
      'fencing beyond the limit',
      p('incidentToFencingProofMs') - result.limit.fencingProofMs,
      'the fencing poll reads the BMC every second (fencing.pollIntervalSeconds): a shorter interval finds Off sooner',
    ],
    [
      'proof → first evacuation started',
      p('fencingProofToFirstEvacuationMs') - l.novaApiMs,
      'force-down, the instance list and planning run one after the other; listing during fencing would hide the list',
    ],
    [
      'first evacuation → last landed, beyond Nova',
      p('firstEvacuationToLastLandedMs') - novaTimeMs(result, results.settings),
      "Nova's queue waits for evacuates that are not sent yet: each turn (evacuationConcurrency) is held from the evacuation's start to Nova's answer, the calls are rate-limited (evacuateCallsPerSecond), and at most maxEvacuationsInFlight of a host are accepted and not yet landed",
    ],
    [
      'last landed → last verified',
      p('lastLandedToLastVerifiedMs'),
      "the landing watch's next look (when the last evacuations are due, by how long Nova took for the newest landing; backing off while none lands) and the signal to the evacuation",
    ],
  ];
  const largest = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    `## Where Lazarus's time goes at ${PROFILED_SCENARIO}`,
    '',
    `Lazarus took ${seconds(overheadMs)} s more than the physical limit. What each step adds on the critical path (medians over repeats):`,
    '',
    '| step | adds (s) | why |',
    '|---|---|---|',
    ...parts.map(([step, ms, why]) => `| ${step} | ${seconds(ms)} | ${why} |`),
    '',
    `**What would fix it:** the largest share is "${largest[0]}" (${seconds(largest[1])} s): ${largest[2]}.`,
    '',
  ];
}

/** The goals of docs/design.md#recovery-speed, each met or missed and by how much. */
function goalsSection(results: BenchResults): string[] {
  const lines = results.scenarios.flatMap((result) => {
    const headline = headlineOf(result);
    const name = result.scenario.name;
    const verdict = (isMet: boolean): string => (isMet ? 'met' : '**missed**');
    const faster = headline.pacemakerRtoS / headline.lazarusRtoS;
    const requests = medianOf(result.lazarus, (run) => run.novaRequestsPerInstance);
    const overLimitGoal = OVER_LIMIT_GOALS[name];
    return [
      `| ${name} | Pacemaker ÷ Lazarus ≥ 1.0× | ${ratio(faster)} | ${verdict(faster >= 1)} |`,
      ...(overLimitGoal === undefined
        ? []
        : [
            `| ${name} | over the physical limit ≤ ${percent(overLimitGoal)} | ${percent(headline.overLimit)} | ${verdict(headline.overLimit <= overLimitGoal)} |`,
          ]),
      `| ${name} | Nova requests per instance ≤ ${NOVA_REQUESTS_PER_INSTANCE_GOAL} | ${requests.toFixed(2)} | ${verdict(requests <= NOVA_REQUESTS_PER_INSTANCE_GOAL)} |`,
    ];
  });
  const crashLines = results.crashes.map(crashFigures).map((crash) => {
    const isExactlyOnce = crash.maxEvacuatesPerInstance <= 1 && crash.violations.length === 0;
    return `| ${crash.name} | a worker SIGKILLed mid-evacuation adds ≤ ${CRASH_ADDED_RTO_GOAL_S} s, exactly once intact | ${seconds(crash.addedS * 1000)} s, ${isExactlyOnce ? 'exactly once' : '**I2 broken**'} | ${crash.isGoalMet && isExactlyOnce ? 'met' : '**missed**'} |`;
  });
  return [
    '## Goals',
    '',
    '| scenario | goal | measured | |',
    '|---|---|---|---|',
    ...lines,
    ...crashLines,
    '',
  ];
}

/** Throughput with one worker process and with two, for the scenarios run both ways. */
function workersSection(results: BenchResults): string[] {
  const scaling = workerScaling(results.scenarios);
  if (scaling.length === 0) return [];
  return [
    '## One worker process or two (medians)',
    '',
    "The same scenario with a second worker process on the same task queue (`<scenario>-2w`); the evacuate rate limit is the server's, across workers.",
    '',
    '| scenario | RTO, 1 worker | RTO, 2 workers | evacuates/s, 1 worker | evacuates/s, 2 workers | throughput, 2 ÷ 1 |',
    '|---|---|---|---|---|---|',
    ...scaling.map(
      (s) =>
        `| ${s.name} | ${fixed(s.one.rtoS, 2)} | ${fixed(s.two.rtoS, 2)} | ${rate(s.one.evacuatesPerSecond)} | ${rate(s.two.evacuatesPerSecond)} | ${ratio(s.throughputRatio)} |`,
    ),
    '',
  ];
}

/** What a worker SIGKILLed once half the evacuates were accepted adds to the RTO, and the ledger's word on exactly once. */
function crashSection(results: BenchResults): string[] {
  if (results.crashes.length === 0) return [];
  return [
    '## Recovery with a crash in it (real seconds, medians)',
    '',
    "Two worker processes; each repeat runs the scenario as is, then again with the first worker SIGKILLed once Nova had accepted half of the evacuates (docs/design.md#a-worker-dying-mid-evacuation). Exactly once is read from the simulator's ledger of accepted evacuates.",
    '',
    '| scenario | RTO as is | RTO with the kill | added | killed after the report | most evacuates of one instance | ledger violations |',
    '|---|---|---|---|---|---|---|',
    ...results.crashes
      .map(crashFigures)
      .map(
        (c) =>
          `| ${c.name} | ${fixed(c.rtoAsIsS, 2)} | ${fixed(c.rtoKilledS, 2)} | **${fixed(c.addedS, 2)}** | ${fixed(c.killedAtS, 2)} | ${c.maxEvacuatesPerInstance} | ${c.violations.length === 0 ? 'none' : c.violations.join('; ')} |`,
      ),
    '',
  ];
}
