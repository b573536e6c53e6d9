// Capacity-aware recovery (docs/design.md#capacity-aware-recovery): before an instance is
// evacuated, the other enabled, up hosts must have room for it as Placement would grant it. In
// priority order, each on the first host with room; one that finds none waits, with what it needs
// and what is free, and the ones after it wait behind it, so smaller instances of lower priority
// never take the room a larger one of higher priority waits for. The room is read again every
// recheck interval (or at once on `lazarus retry`), so a host enabled or re-admitted, or instances
// deleted, let them go. Placement unreadable is no reason to leave instances down: they go as
// they would without the check.
import { condition } from '@temporalio/workflow';
import { readRecoveryCapacity } from './activity-options.ts';
import type { RecoveryCapacity } from '../activities/incident/index.ts';
import type { Destination, Resources } from '../domain/capacity.ts';
import { claimedFirstFit, describeShortage } from '../domain/capacity.ts';
import type { PlannedEvacuation } from '../domain/evacuation-policy.ts';
import type { Incident } from './incident-record.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { untilAnswered } from './wait-out-outages.ts';

export interface CapacityGate {
  /**
   * Resolves once the instance may be evacuated, or `cancelled` when the incident is cancelled
   * while it waits. Calls are answered in the order they are made: the plan's priority order.
   */
  admit(planned: PlannedEvacuation): Promise<'admitted' | 'cancelled'>;
  /** Its evacuation ended: what it claims is in Placement's usage now, or was never claimed. */
  ended(instanceId: string): void;
}

export function openCapacityGate(
  incident: Incident,
  board: WaitingBoard,
  { recheckMs, isCancelled }: { recheckMs: number; isCancelled: () => boolean },
): CapacityGate {
  const { host } = incident.state;
  /** Admitted and not ended: claims Placement may not show yet. */
  const claims = new Map<string, Resources>();
  let read: RecoveryCapacity | undefined;
  let room: Destination[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  const readRoom = async (instanceIds: string[]): Promise<RecoveryCapacity> => {
    const capacity = await untilAnswered(
      `read what the other hosts have free for the instances of ${host}`,
      () => readRecoveryCapacity({ sourceHost: host, instanceIds }),
      board,
    );
    if (capacity.kind === 'unknown') {
      incident.state.capacity = { unknownBecause: capacity.reason };
      return capacity;
    }
    // Counted once more if Placement shows them already: an instance may wait longer for that,
    // never be sent where there is no room.
    room = [...claims.values()].reduce(
      (left, needs) => claimedFirstFit(needs, left) ?? left,
      capacity.destinations,
    );
    return capacity;
  };

  const admitInTurn = async (planned: PlannedEvacuation): Promise<'admitted' | 'cancelled'> => {
    const { instanceId } = planned;
    read ??= await readRoom(incident.state.instances.map((row) => row.instanceId));
    for (;;) {
      if (read.kind === 'unknown') return 'admitted';
      // Not on the host any more: its evacuation finds out where it went.
      const needs = read.needs[instanceId];
      if (needs === undefined) return 'admitted';
      const claimed = claimedFirstFit(needs, room);
      if (claimed !== undefined) {
        room = claimed;
        claims.set(instanceId, needs);
        return 'admitted';
      }
      incident.track(instanceId, {
        outcome: 'planned',
        waitingForCapacity: describeShortage(needs, room),
      });
      const retries = board.retryRequests();
      await condition(() => isCancelled() || board.retryRequests() > retries, recheckMs);
      if (isCancelled()) return 'cancelled';
      read = await readRoom(
        incident.state.instances
          .filter((row) => row.progress.outcome === 'planned')
          .map((row) => row.instanceId),
      );
    }
  };

  return {
    admit(planned) {
      const turn = queue.then(() => admitInTurn(planned));
      queue = turn;
      return turn;
    },
    ended(instanceId) {
      claims.delete(instanceId);
    },
  };
}
