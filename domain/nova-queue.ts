// How many of a host's evacuations may be in Nova at once (docs/design.md#novas-queue). Nova lands
// evacuations at its own pace and queues the rest; one sent beyond what keeps it busy lands no
// sooner, only waits longer, and a long wait on a real Nova ends in an RPC timeout. By Little's law
// an evacuation sent now waits about (evacuations in flight) ÷ (landings a second); so a host keeps
// no more in flight than its landings a second times Nova's time alone plus the queue wait allowed.
// Every host sharing one Nova queue holds the same bound on the same figures, so together they keep
// the queue to about that wait, and Nova busy. Each host also keeps the landings one look of its
// landing watch waits for (landing-pace.ts): a slot freed by a landing is refilled only once the
// watch has seen it, and without that slack a host's watch batching its landings would leave Nova
// idle. So with many hosts sharing Nova the queue holds up to that many more per host.
import { LANDINGS_PER_LOOK } from './landing-pace.ts';

/** The host's newest landings its landing rate is read from. */
export const RATE_SAMPLE_LANDINGS = 10;
/** Landings needed before the rate counts: until then only maxEvacuationsInFlight bounds the host. */
export const FEWEST_LANDINGS_FOR_A_RATE = 3;

/** A landing by Nova's clock: when its migration was marked done, and how long it took from the accept. */
export interface NovaLanding {
  landedAt: number;
  landingMs: number;
}

/** What the host's landings say of Nova. */
export interface NovaPace {
  /** The newest landings of the host, oldest first, at most RATE_SAMPLE_LANDINGS. */
  recent: readonly NovaLanding[];
  /** The shortest landing seen: Nova's time for one evacuation when nothing queues before it. */
  shortestMs: number;
}

/** Adds a landing to the pace, keeping the newest RATE_SAMPLE_LANDINGS by Nova's clock. */
export function withLanding(pace: NovaPace | undefined, landing: NovaLanding): NovaPace {
  const recent = [...(pace?.recent ?? []), landing]
    .sort((a, b) => a.landedAt - b.landedAt)
    .slice(-RATE_SAMPLE_LANDINGS);
  return { recent, shortestMs: Math.min(pace?.shortestMs ?? Infinity, landing.landingMs) };
}

/** At most this many of the host's evacuations in flight; Infinity until its landings give a rate. */
export function inFlightBound(pace: NovaPace | undefined, queueWaitMs: number): number {
  const recent = pace?.recent ?? [];
  const first = recent[0];
  const last = recent.at(-1);
  if (pace === undefined || first === undefined || last === undefined) return Infinity;
  const spanMs = last.landedAt - first.landedAt;
  if (recent.length < FEWEST_LANDINGS_FOR_A_RATE || spanMs <= 0) return Infinity;
  const landingsPerMs = (recent.length - 1) / spanMs;
  return Math.ceil(landingsPerMs * (pace.shortestMs + queueWaitMs)) + LANDINGS_PER_LOOK;
}
