// The safety properties of docs/design.md#invariants checked over the ledger, independently of any
// client's view.
import type { LedgerEntry } from './ledger.ts';

export interface Violation {
  invariant: 'I1' | 'I2' | 'I4';
  message: string;
  /** Ledger sequence numbers of the offending entries. */
  entries: number[];
}

type EntryOf<K extends LedgerEntry['kind']> = Extract<LedgerEntry, { kind: K }>;

export function checkInvariants(entries: readonly LedgerEntry[]): Violation[] {
  return [
    ...fenceBeforeEvacuate(entries),
    ...exactlyOnce(entries),
    ...forceDownAfterFence(entries),
  ];
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

/**
 * Per instance and failure of its host, whatever number of incidents Lazarus opened for that
 * failure (docs/design.md#one-failure-many-incidents), an evacuate accepted while an earlier one had not ended in error or
 * failed is a second evacuation. A retry after a failed one (NoValidHost, the destination died
 * during the rebuild: the instance is still on the source) is how recovery goes on, not a breach.
 */
function exactlyOnce(entries: readonly LedgerEntry[]): Violation[] {
  // A failure of a host lasts from its recorded failure to the next one; evacuations before any
  // failure share failure 0. The window is the simulator's own record, not any incident's.
  const failuresSoFar = new Map<string, number>();
  const unfailed = new Map<string, EntryOf<'evacuate'>[]>();
  const groupOfMigration = new Map<number, string>();
  const violations: Violation[] = [];
  for (const entry of entries) {
    if (entry.kind === 'host-failure')
      failuresSoFar.set(entry.host, (failuresSoFar.get(entry.host) ?? 0) + 1);
    if (entry.kind === 'evacuation-failed') {
      const key = groupOfMigration.get(entry.migrationId);
      if (key !== undefined)
        unfailed.set(
          key,
          (unfailed.get(key) ?? []).filter((e) => e.migrationId !== entry.migrationId),
        );
    }
    if (entry.kind !== 'evacuate') continue;
    const key = `${entry.instance} ${entry.sourceHost} ${failuresSoFar.get(entry.sourceHost) ?? 0}`;
    const earlier = unfailed.get(key) ?? [];
    if (earlier.length > 0) {
      violations.push({
        invariant: 'I2',
        message: `evacuation ${earlier.length + 1} of ${entry.instance} accepted in one failure of ${entry.sourceHost} while migration ${earlier.map((e) => e.migrationId).join(', ')} had not failed`,
        entries: [...earlier.map((e) => e.seq), entry.seq],
      });
    }
    groupOfMigration.set(entry.migrationId, key);
    unfailed.set(key, [...earlier, entry]);
  }
  return violations;
}

function forceDownAfterFence(entries: readonly LedgerEntry[]): Violation[] {
  return entries
    .filter(
      (e): e is EntryOf<'service-update'> =>
        e.kind === 'service-update' && e.forcedDown === true && e.power !== 'Off',
    )
    .map((e) => ({
      invariant: 'I4',
      message: `forced_down=true set on ${e.host} while it was powered ${e.power}`,
      entries: [e.seq],
    }));
}
