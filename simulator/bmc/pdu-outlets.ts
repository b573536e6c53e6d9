// The relays of a simulated rack PDU and the hosts they feed. The world owns each host's power; an
// outlet only feeds it: when every outlet feeding a host is Off, the host loses power (recorded in
// the ledger as `via: redfish-pdu`, like a BMC's power-off), and when an outlet comes back On a host
// without power boots, as servers set to restore power on AC return do.
import type { BmcFaults, HostPowerPort, PowerState } from './bmc-contract.ts';

export class PduOutlets {
  faults: BmcFaults = {};
  private readonly states = new Map<string, PowerState>();
  private readonly hostOf = new Map<string, string>();

  constructor(
    private readonly world: HostPowerPort,
    /** Host → the Ids of the outlets feeding it. */
    readonly feeds: Readonly<Record<string, readonly string[]>>,
  ) {
    for (const [host, ids] of Object.entries(feeds)) {
      for (const id of ids) {
        this.hostOf.set(id, host);
        this.states.set(id, 'On');
      }
    }
  }

  ids(): string[] {
    return [...this.states.keys()];
  }

  has(id: string): boolean {
    return this.states.has(id);
  }

  /** The relay's real state. */
  actual(id: string): PowerState {
    return this.states.get(id) ?? 'Off';
  }

  reported(id: string): PowerState {
    return this.faults.misreportPower ?? this.actual(id);
  }

  /** Relays switch at once; a welded relay (ignorePowerOff) stays On. */
  switch(id: string, target: PowerState): void {
    const host = this.hostOf.get(id);
    if (host === undefined || this.actual(id) === target) return;
    if (target === 'Off' && this.faults.ignorePowerOff === true) return;
    this.states.set(id, target);
    const isFed = (this.feeds[host] ?? []).some((outlet) => this.actual(outlet) === 'On');
    const power = this.world.powerState(host);
    if (!isFed && power === 'On') this.world.setPower(host, 'Off', 'redfish-pdu');
    if (isFed && power === 'Off' && target === 'On') this.world.setPower(host, 'On', 'redfish-pdu');
  }

  snapshot(): Record<string, PowerState> {
    return Object.fromEntries(this.states);
  }
}
