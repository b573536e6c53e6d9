// The safety properties of DESIGN.md checked over the ledger, independently of any client's view.
import type { LedgerEntry } from './ledger.ts';

export interface Violation {
  invariant: 'I1' | 'I2' | 'I4';
  message: string;
  /** Ledger sequence numbers of the offending entries. */
  entries: number[];
}

type EntryOf<K extends LedgerEntry['kind']> = Extract<LedgerEntry, { kind: K }>;

export function checkInvariants(entries: readonly LedgerEntry[]): Violation[] {
  return [...fenceBeforeEvacuate(entries), ...exactlyOnce(entries), ...forceDownAfterFence(entries)];
}

function fenceBeforeEvacuate(entries: readonly LedgerEntry[]): Violation[] {
  return entries
    .filter((e): e is EntryOf<'evacuate'> => e.kind === 'evacuate' && e.sourcePower !== 'Off')
    .map((e) => ({
      invariant: 'I1',
      message: `evacuate of ${e.instance} accepted while its source host ${e.sourceHost} was powered ${e.sourcePower}`,
      entries: [e.seq],
    }));
}

function exactlyOnce(entries: readonly LedgerEntry[]): Violation[] {
  // An incident of a host starts at its last recorded failure; evacuations before any failure
  // share incident 0.
  const failuresSoFar = new Map<string, number>();
  const evacuations = new Map<string, EntryOf<'evacuate'>[]>();
  for (const entry of entries) {
    if (entry.kind === 'host-failure') failuresSoFar.set(entry.host, (failuresSoFar.get(entry.host) ?? 0) + 1);
    if (entry.kind !== 'evacuate') continue;
    const key = `${entry.instance} ${entry.sourceHost} ${failuresSoFar.get(entry.sourceHost) ?? 0}`;
    const group = evacuations.get(key) ?? [];
    group.push(entry);
    evacuations.set(key, group);
  }
  return [...evacuations.values()]
    .filter((group) => group.length > 1)
    .map((group) => ({
      invariant: 'I2',
      message: `${group.length} evacuations of ${group[0]?.instance ?? '?'} accepted in one incident of ${group[0]?.sourceHost ?? '?'}`,
      entries: group.map((e) => e.seq),
    }));
}

function forceDownAfterFence(entries: readonly LedgerEntry[]): Violation[] {
  return entries
    .filter((e): e is EntryOf<'service-update'> => e.kind === 'service-update' && e.forcedDown === true && e.power !== 'Off')
    .map((e) => ({
      invariant: 'I4',
      message: `forced_down=true set on ${e.host} while it was powered ${e.power}`,
      entries: [e.seq],
    }));
}
