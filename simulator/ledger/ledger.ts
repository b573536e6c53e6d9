// Every state-changing request that took effect, in order, so tests can prove what a client did to
// the cloud (I1, I2, I4 of docs/design.md#invariants), including requests whose response was lost.
import type { BmcProtocol, PowerState } from '../bmc/bmc-contract.ts';
import type { FailureMode } from '../world/model.ts';

export type PowerCommandSource = BmcProtocol | 'sim-admin';

export type LedgerEvent =
  | {
      kind: 'evacuate';
      instance: string;
      sourceHost: string;
      /** The source host's real power when Nova accepted the request. */
      sourcePower: PowerState;
      targetHost: string | null;
      migrationId: number;
      requestId: string;
      microversion: string;
    }
  | {
      kind: 'service-update';
      host: string;
      binary: string;
      status?: 'enabled' | 'disabled';
      disabledReason?: string | null;
      forcedDown?: boolean;
      /** The host's real power when the update was applied. */
      power: PowerState;
      requestId: string;
    }
  | {
      kind: 'power';
      host: string;
      state: PowerState;
      previous: PowerState;
      via: PowerCommandSource;
    }
  /** An evacuation that ended without moving the instance, so a retry elsewhere is no second one. */
  | { kind: 'evacuation-failed'; instance: string; migrationId: number; status: 'error' | 'failed' }
  | { kind: 'host-failure'; host: string; mode: FailureMode }
  | { kind: 'compute-restart'; host: string };

export type LedgerEntry = LedgerEvent & { seq: number; at: string };

export class Ledger {
  readonly #entries: LedgerEntry[] = [];

  constructor(private readonly now: () => number) {}

  record(event: LedgerEvent): LedgerEntry {
    const entry: LedgerEntry = {
      ...event,
      seq: this.#entries.length + 1,
      at: new Date(this.now()).toISOString(),
    };
    this.#entries.push(entry);
    return entry;
  }

  entries(): readonly LedgerEntry[] {
    return this.#entries;
  }
}
