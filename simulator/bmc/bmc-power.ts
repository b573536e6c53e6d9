// One host's power as its BMC sees and commands it. Both protocols go through here so that the
// faults (ignorePowerOff, misreportPower) mean the same thing over Redfish and IPMI.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BmcFaults, BmcProtocol, HostPowerPort, PowerState } from './bmc-contract.ts';
import { realMs } from './simulated-time.ts';

/**
 * What a ComputerSystem reports in `PowerState` (DMTF ComputerSystem.v1_27_0;
 * docs/nova-and-bmc-facts.md#systems-and-power-state).
 */
export type ReportedPowerState = PowerState | 'PoweringOn' | 'PoweringOff';

export class BmcPower {
  faults: BmcFaults = {};
  private transition: 'PoweringOn' | 'PoweringOff' | undefined;
  private readonly disposed = new AbortController();

  constructor(
    readonly host: string,
    private readonly world: HostPowerPort,
    private readonly timeScale: number,
  ) {}

  /** The world's truth: what power commands are planned against, whatever the BMC reports. */
  actual(): PowerState {
    return this.world.powerState(this.host);
  }

  reported(): ReportedPowerState {
    return this.faults.misreportPower ?? this.transition ?? this.actual();
  }

  /** IPMI knows only on and off; mid-transition the power rail has not changed yet. */
  reportedOnOff(): PowerState {
    return this.faults.misreportPower ?? this.actual();
  }

  isInTransition(): boolean {
    return this.transition !== undefined;
  }

  /** IPMI chassis control switches at once (OpenIPMI lanserv/bmc_chassis.c calls the control program synchronously). */
  switchNow(target: PowerState, via: BmcProtocol): void {
    if (this.isIgnored(target) || this.actual() === target) return;
    this.world.setPower(this.host, target, via);
  }

  /**
   * Redfish power changes take `transitionMs` simulated milliseconds each, reporting PoweringOff or
   * PoweringOn meanwhile, as real servers do (sushy-tools defers them by seconds too,
   * docs/nova-and-bmc-facts.md#sushy-tools).
   * Resolves once every step has taken effect, or silently when the fleet stops.
   */
  async transitionThrough(
    steps: readonly PowerState[],
    transitionMs: number,
    via: BmcProtocol,
  ): Promise<void> {
    try {
      for (const target of steps) {
        if (this.isIgnored(target) || this.actual() === target) continue;
        this.transition = target === 'Off' ? 'PoweringOff' : 'PoweringOn';
        await sleep(realMs(transitionMs, this.timeScale), undefined, {
          signal: this.disposed.signal,
        });
        this.transition = undefined;
        this.world.setPower(this.host, target, via);
      }
    } catch (error) {
      if (!this.disposed.signal.aborted) throw error;
    } finally {
      this.transition = undefined;
    }
  }

  dispose(): void {
    this.disposed.abort();
  }

  private isIgnored(target: PowerState): boolean {
    return target === 'Off' && this.faults.ignorePowerOff === true;
  }
}
