// Several devices that must all cut the power for a host to be unpowered, behind one FenceDriver: a
// dual-PSU server fed by outlets on two PDUs (A and B feeds). Pacemaker puts such devices in one
// fencing level; here they are one driver, so fenceHost's read-back covers them all at once.
import { combinedPowerState } from './combined-power-state.ts';
import type { FenceDeviceProtocol, FenceDriver, PowerState } from './fence-driver.ts';

type AnyDriver = FenceDriver<FenceDeviceProtocol>;

export class FenceDevicesTogether implements AnyDriver {
  readonly protocol: FenceDeviceProtocol;
  readonly address: string;
  readonly powerOffCommand: string;
  readonly #devices: readonly [AnyDriver, ...AnyDriver[]];

  constructor(devices: readonly [AnyDriver, ...AnyDriver[]]) {
    this.#devices = devices;
    // The level's devices share a protocol today (Redfish PDUs); the first names it.
    this.protocol = devices[0].protocol;
    this.powerOffCommand = devices[0].powerOffCommand;
    this.address = devices.map((device) => device.address).join(' + ');
  }

  async powerState(): Promise<PowerState> {
    return combinedPowerState(
      await Promise.all(this.#devices.map((device) => device.powerState())),
    );
  }

  async powerOff(): Promise<void> {
    for (const device of this.#devices) await device.powerOff();
  }

  async powerOn(): Promise<void> {
    for (const device of this.#devices) await device.powerOn();
  }

  async close(): Promise<void> {
    await Promise.all(this.#devices.map((device) => device.close()));
  }
}
