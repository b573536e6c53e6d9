// One run of a re-enacted procedure on a fresh simulated cloud of the scenario, every failed host
// recovered at once (Masakari runs one flow per notification, Pacemaker fences nodes concurrently).
import { pollUntil } from '../../lib/poll-until.ts';
import { failHosts, startBenchCloud } from '../bench-cloud.ts';
import type { RecoveryTimes } from '../measurements.ts';
import { recoveryTimes } from '../measurements.ts';
import type { Scenario } from '../scenarios.ts';
import { BASELINE_TIME_SCALES } from '../scenarios.ts';
import { landingsInNova, openNovaSession, redfishPower } from './cloud-client.ts';
import { MASAKARI_MICROVERSION, recoverLikeMasakari } from './masakari.ts';
import { PACEMAKER_MICROVERSION, recoverLikePacemaker } from './pacemaker.ts';
import type { HostRecovery, ProcedureContext } from './procedure.ts';
import { scaledSleep } from './procedure.ts';

export type BaselineProcedure = 'masakari' | 'pacemaker';

/** Milliseconds of the procedure's cloud (BASELINE_TIME_SCALES). */
export interface BaselineRun extends RecoveryTimes {
  failedInstances: number;
  /** Requests Nova received during the recovery, per instance evacuated. */
  novaRequestsPerInstance: number;
}

export async function runBaseline(
  procedure: BaselineProcedure,
  scenario: Scenario,
): Promise<BaselineRun> {
  const timeScale = BASELINE_TIME_SCALES[procedure];
  const cloud = await startBenchCloud(scenario, timeScale);
  try {
    const nova = await openNovaSession(
      cloud.sim,
      procedure === 'masakari' ? MASAKARI_MICROVERSION : PACEMAKER_MICROVERSION,
    );
    const context: ProcedureContext = {
      nova,
      bmc: (host) => {
        const endpoints = cloud.sim.bmcs[host];
        if (endpoints === undefined) throw new Error(`the simulated cloud has no BMC for ${host}`);
        return redfishPower(endpoints.redfish);
      },
      now: () => cloud.sim.now(),
      sleep: scaledSleep(timeScale),
    };
    const reportedAt = failHosts(cloud);
    const reportedAtSimMs = cloud.sim.now();
    const recover = (host: string): Promise<HostRecovery> =>
      procedure === 'masakari'
        ? recoverLikeMasakari(context, host)
        : recoverLikePacemaker(context, host, reportedAtSimMs);
    const hosts = await Promise.all(cloud.failedHosts.map(recover));
    // Pacemaker never checks a landing: its recovery is over when Nova's last rebuild is.
    await pollUntil(
      'every rebuild to end',
      () =>
        cloud.sim.state().instances.every((i) => i.taskState !== 'rebuilding') ? true : undefined,
      { timeoutMs: 600_000, intervalMs: 20 },
    );
    // Before the bench's own read of the landings.
    const novaRequests = cloud.sim.novaRequests();
    const landings = await landingsInNova(nova);
    const endedAt = Math.max(...hosts.map((host) => host.endedAt));
    const times = recoveryTimes(
      {
        reportedAt,
        fencingProofsAt: hosts.map((host) => host.fencingProofAt),
        evacuates: cloud.evacuatesAccepted(),
        landings,
        recoveredAt: procedure === 'masakari' ? endedAt : Math.max(...landings.values()),
      },
      timeScale,
    );
    return {
      ...times,
      failedInstances: hosts.reduce((sum, host) => sum + host.failedInstances, 0),
      novaRequestsPerInstance: novaRequests / Math.max(1, landings.size),
    };
  } finally {
    await cloud.stop();
  }
}
