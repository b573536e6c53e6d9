// An IPMI BMC (OpenIPMI's ipmi_sim) per real nova-compute, whose chassis power is that process:
// power off kills it at once, as a power cut would (no graceful shutdown, no last heartbeat), and
// power on starts a fresh one, which like a wiped host has no guests (the fake driver keeps them in
// memory, docs/nova-and-bmc-facts.md#real-nova-tier). ipmi_sim and its chassis-control relay are
// the simulator's own, so the same ipmitool commands drive both clouds
// (docs/nova-and-bmc-facts.md#openipmi-simulator).
import { join } from 'node:path';
import type { HostPowerPort, PowerState } from '../../simulator/bmc/bmc-contract.ts';
import { BmcPower } from '../../simulator/bmc/bmc-power.ts';
import { startChassisControlEndpoint } from '../../simulator/bmc/chassis-control-endpoint.ts';
import { startIpmiSim, type IpmiSim } from '../../simulator/bmc/ipmi-sim-process.ts';

export interface ComputeBmc {
  host: string;
  /** UDP port on 127.0.0.1, for `ipmitool -I lanplus -C 3 -H 127.0.0.1 -p <port>`. */
  ipmiPort: number;
  username: string;
  password: string;
}

export interface PowerEvent {
  host: string;
  state: PowerState;
  at: string;
}

export interface ComputeBmcs {
  bmcs: Record<string, ComputeBmc>;
  /** Every power change a BMC carried out, in order: tests assert "off exactly once". */
  powerLog: PowerEvent[];
  stop(): Promise<void>;
}

/** What the BMCs need from whoever runs the computes. */
export interface ComputeSwitch {
  powerOff(host: string): void;
  powerOn(host: string): void;
}

class ComputePower implements HostPowerPort {
  private readonly state = new Map<string, PowerState>();
  readonly log: PowerEvent[] = [];

  constructor(
    hosts: readonly string[],
    private readonly computes: ComputeSwitch,
  ) {
    for (const host of hosts) this.state.set(host, 'On');
  }

  // The power rail, not the process: a compute that crashed on its own sits on a powered host.
  powerState(host: string): PowerState {
    return this.state.get(host) ?? 'Off';
  }

  setPower(host: string, state: PowerState): void {
    if (this.powerState(host) === state) return;
    this.state.set(host, state);
    this.log.push({ host, state, at: new Date().toISOString() });
    if (state === 'Off') this.computes.powerOff(host);
    else this.computes.powerOn(host);
  }
}

export const ipmiUsername = 'admin';
export const ipmiPassword = 'lazarus-ipmi';

export async function startComputeBmcs(
  hosts: readonly string[],
  computes: ComputeSwitch,
  dir: string,
): Promise<ComputeBmcs> {
  const power = new ComputePower(hosts, computes);
  // Real time: nothing is simulated here but the BMC itself.
  const endpoint = await startChassisControlEndpoint(
    new Map(hosts.map((host) => [host, new BmcPower(host, power, 1)])),
    dir,
  );
  const sims: IpmiSim[] = [];
  const stop = async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
    await endpoint.close();
  };
  try {
    const bmcs: Record<string, ComputeBmc> = {};
    for (const host of hosts) {
      const sim = await startIpmiSim(join(dir, `ipmi-${host}`), {
        name: host,
        chassisControl: `${endpoint.program} ${host}`,
        username: ipmiUsername,
        password: ipmiPassword,
      });
      sims.push(sim);
      bmcs[host] = { host, ipmiPort: sim.port, username: ipmiUsername, password: ipmiPassword };
    }
    return { bmcs, powerLog: power.log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
