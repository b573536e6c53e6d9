// An operator's confirmation of manual fencing, in the form forceDownComputeService accepts.
import type { FencingProof } from '../activities/fencing/index.ts';
import type { OperatorDecision } from './incident-messages.ts';

/**
 * forceDownComputeService takes a FencingProof only, and checks just its host before forcing the
 * service down (I4). DESIGN step 4 lets an operator's recorded confirmation stand in for a BMC
 * read-back, so the confirmation travels in a proof whose protocol is "operator" and whose bmc
 * names who confirmed: the disabled_reason then reads "fenced via operator at <time>". Replace
 * with a confirmation type of its own once the activity accepts one.
 */
export function operatorFencingProof(host: string, confirmation: OperatorDecision, confirmedAt: string): FencingProof {
  const proof = {
    host, protocol: 'operator', bmc: `confirmed by ${confirmation.operator}: ${confirmation.reason}`, powerState: 'Off',
    readAt: confirmedAt, wasAlreadyOff: true, attempts: 0, elapsedMs: 0,
  } as const;
  return proof as unknown as FencingProof;
}
