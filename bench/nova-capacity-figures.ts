// The figures of `npm run bench:nova-capacity` (bench/nova-capacity.ts), pure so they are tested:
// per level of evacuations in flight, how long Nova took to accept one and to land one, and how many
// it landed per second; and the control plane those figures describe, for the simulator.
import type { Machine } from './machine.ts';
import { median } from './statistics.ts';

/** One evacuation, in real milliseconds since the epoch. */
export interface EvacuationTiming {
  sentAt: number;
  /** Nova's answer to the evacuate arrived. */
  acceptedAt: number;
  /** The first listing that showed its migration `done` (or `completed`). */
  landedAt: number;
}

export interface LevelResult {
  /** Evacuations in flight at most. */
  level: number;
  evacuations: number;
  acceptMedianMs: number;
  acceptP95Ms: number;
  /** From sending the evacuate to seeing it landed. */
  landMedianMs: number;
  landP95Ms: number;
  /** Evacuations landed per second, from the first sent to the last landed. */
  perSecond: number;
}

/** The nearest-rank quantile (0 < q ≤ 1) of at least one value. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('the quantile of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export function summarizeLevel(level: number, timings: readonly EvacuationTiming[]): LevelResult {
  const accept = timings.map((timing) => timing.acceptedAt - timing.sentAt);
  const land = timings.map((timing) => timing.landedAt - timing.sentAt);
  const spanMs =
    Math.max(...timings.map((timing) => timing.landedAt)) -
    Math.min(...timings.map((timing) => timing.sentAt));
  return {
    level,
    evacuations: timings.length,
    acceptMedianMs: median(accept),
    acceptP95Ms: quantile(accept, 0.95),
    landMedianMs: median(land),
    landP95Ms: quantile(land, 0.95),
    perSecond: timings.length / (Math.max(spanMs, 1) / 1000),
  };
}

/**
 * The control plane as a queue the simulator can reproduce: the API answers an evacuate in
 * `acceptMs`; then conductor, scheduler and the destination's compute manager take `workMs` per
 * evacuation when alone, `concurrent` of them progressing at once (Little's law on the highest
 * throughput measured), the rest waiting their turn.
 */
export interface ControlPlaneFit {
  acceptMs: number;
  workMs: number;
  concurrent: number;
  /** The highest throughput measured, evacuations per second. */
  perSecond: number;
}

export function fitControlPlane(levels: readonly LevelResult[]): ControlPlaneFit {
  const alone = [...levels].sort((a, b) => a.level - b.level)[0];
  if (alone === undefined) throw new Error('no level was measured');
  const perSecond = Math.max(...levels.map((level) => level.perSecond));
  const workMs = Math.max(1, alone.landMedianMs - alone.acceptMedianMs);
  return {
    acceptMs: alone.acceptMedianMs,
    workMs,
    concurrent: Math.max(1, Math.round((perSecond * workMs) / 1000)),
    perSecond,
  };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

export function capacityReport(run: {
  date: string;
  machine: Machine;
  servers: number;
  levels: readonly LevelResult[];
}): string {
  const fit = fitControlPlane(run.levels);
  return [
    `# Nova capacity, ${run.date}`,
    '',
    `Real-Nova tier (Debian's Nova 26.2.2, fake virt driver, one conductor and one scheduler worker, nova-api in a threaded WSGI server) on ${run.machine.cores} cores (${run.machine.cpuModel}), ${run.machine.memoryGiB} GiB, load ${run.machine.loadAtStart.toFixed(1)} at the start. Per level: ${run.servers} servers evacuated from one powered-off, forced-down compute onto an empty spare of the level's own (every other compute disabled), at most *level* in flight; landed = the first os-migrations listing (every 100 ms) that shows the migration \`done\`. Seconds are real.`,
    '',
    '| in flight at most | evacuations | accept median | accept p95 | landed median | landed p95 | landed per second |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...run.levels.map(
      (level) =>
        `| ${level.level} | ${level.evacuations} | ${seconds(level.acceptMedianMs)} | ${seconds(level.acceptP95Ms)} | ${seconds(level.landMedianMs)} | ${seconds(level.landP95Ms)} | ${level.perSecond.toFixed(2)} |`,
    ),
    '',
    `Control plane fitted for the simulator: an evacuate is accepted in ${seconds(fit.acceptMs)} s; conductor, scheduler and compute then take ${seconds(fit.workMs)} s per evacuation alone, about ${fit.concurrent} progressing at once (${fit.perSecond.toFixed(2)} per second at most, Little's law). A real hypervisor's rebuild (the fake driver's is instant) comes on top, on the destination.`,
    '',
  ].join('\n');
}
