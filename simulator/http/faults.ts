// API faults a test injects per endpoint. "Processed but the response was lost" is the one that
// matters most: the request takes effect and the client sees a dropped connection.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SimClock } from '../clock.ts';

const apiFaultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
  }),
  z.object({ kind: z.literal('latency'), ms: z.number().nonnegative() }),
  z.object({ kind: z.literal('reset') }),
  z.object({ kind: z.literal('lost-response') }),
]);
export type ApiFault = z.infer<typeof apiFaultSchema>;

export const faultRuleSchema = z.object({
  service: z.enum(['nova', 'keystone']),
  /** "METHOD pattern" as the simulator routes it, e.g. "POST /servers/{id}/action", or "*". */
  endpoint: z.string().min(1),
  /** For server actions: the action's key, e.g. "evacuate". */
  action: z.string().optional(),
  fault: apiFaultSchema,
  /** How many matching requests it hits; unlimited when absent. */
  times: z.number().int().positive().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface RequestIdentity {
  service: FaultRule['service'];
  endpoint: string;
  action?: string | undefined;
}

export class FaultTable {
  #rules: { rule: FaultRule; remaining: number }[] = [];

  add(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules = [];
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => r.rule);
  }

  /** The faults this request hits, each use counted. */
  take(request: RequestIdentity): ApiFault[] {
    const hits = this.#rules.filter(
      ({ rule, remaining }) =>
        remaining > 0 &&
        rule.service === request.service &&
        (rule.endpoint === '*' || rule.endpoint === request.endpoint) &&
        (rule.action === undefined || rule.action === request.action),
    );
    for (const hit of hits) hit.remaining -= 1;
    this.#rules = this.#rules.filter((r) => r.remaining > 0);
    return hits.map((h) => h.rule.fault);
  }
}

export type FaultOutcome = { kind: 'proceed'; isResponseLost: boolean } | { kind: 'answered' };

/**
 * Applies what must happen before the request is processed: latency, a reset, or an error status
 * (built by the caller in its service's error format). Lost responses are the caller's to honour.
 */
export async function applyFaultsBefore(
  faults: readonly ApiFault[],
  res: ServerResponse,
  clock: SimClock,
  answerWithStatus: (status: number, message: string) => void,
): Promise<FaultOutcome> {
  for (const fault of faults) if (fault.kind === 'latency') await clock.sleep(fault.ms);
  if (faults.some((f) => f.kind === 'reset')) {
    res.socket?.resetAndDestroy();
    return { kind: 'answered' };
  }
  const status = faults.find((f) => f.kind === 'status');
  if (status !== undefined) {
    answerWithStatus(
      status.status,
      status.message ?? 'Simulated fault injected through /_sim/faults',
    );
    return { kind: 'answered' };
  }
  return { kind: 'proceed', isResponseLost: faults.some((f) => f.kind === 'lost-response') };
}

/** The request took effect; the client sees the connection drop instead of the answer. */
export function loseResponse(res: ServerResponse): void {
  res.socket?.resetAndDestroy();
}
