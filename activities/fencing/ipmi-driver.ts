// IpmiDriver: fencing with `ipmitool chassis power off` and `chassis power status`
// (docs/nova-and-bmc-facts.md#ipmitool-commands-and-output).
import { LazarusError } from '../errors.ts';
import type { FenceDriver, PowerState } from './fence-driver.ts';
import type { IpmitoolTarget } from './ipmitool.ts';
import { ipmiAddress, runIpmitool } from './ipmitool.ts';

/** fence_ipmilan's status regex (docs/nova-and-bmc-facts.md#the-fence-agents-pattern). */
const POWER_STATUS = /[Cc]hassis [Pp]ower is (\w+)/;

export class IpmiDriver implements FenceDriver {
  readonly protocol = 'ipmi';
  readonly powerOffCommand = 'chassis power off';
  readonly address: string;
  readonly #target: IpmitoolTarget;

  constructor(target: IpmitoolTarget) {
    this.#target = target;
    this.address = ipmiAddress(target);
  }

  async powerState(): Promise<PowerState> {
    const stdout = await runIpmitool(this.#target, ['chassis', 'power', 'status']);
    const state = POWER_STATUS.exec(stdout)?.[1]?.toLowerCase();
    if (state === 'on') return 'On';
    if (state === 'off') return 'Off';
    throw new LazarusError(
      'BmcUnsupported',
      `IPMI BMC at ${this.address} answered chassis power status with ${JSON.stringify(stdout.trim())}, not "Chassis Power is on|off"; check the BMC`,
      { bmc: this.address },
    );
  }

  async powerOff(): Promise<void> {
    await runIpmitool(this.#target, ['chassis', 'power', 'off']);
  }

  async powerOn(): Promise<void> {
    await runIpmitool(this.#target, ['chassis', 'power', 'on']);
  }

  /** Every ipmitool call opens and closes its own session. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
