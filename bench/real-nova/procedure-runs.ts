// The three recoveries `npm run bench:real-nova` compares, each of one crashed compute of the
// real-Nova tier: the physical limit (nothing but the steps Nova needs, all at once), the Pacemaker
// re-enactment (fire and forget), and Lazarus. Each reaches Nova only through the counting proxy;
// the bench watches the landings and checks the end state with its own, uncounted, reads.
import { loadavg } from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../config/load-config.ts';
import { DEFAULT_TASK_QUEUE } from '../../apps/worker/create-worker.ts';
import { reportHostFailure } from '../../contracts/incident-start.ts';
import { pollUntil } from '../../lib/poll-until.ts';
import { writeLazarusConfig } from '../../test/real-nova/lazarus-config.ts';
import type { NovaCall } from '../../test/real-nova/nova-calls.ts';
import { novaAt } from '../../test/real-nova/nova-calls.ts';
import type { RealNova } from '../../test/real-nova/real-nova.ts';
import type { incidentWorkflow } from '../../workflows/incident-workflow.ts';
import { openNovaSession } from '../baselines/cloud-client.ts';
import { PACEMAKER_MICROVERSION, recoverLikePacemaker } from '../baselines/pacemaker.ts';
import { scaledSleep } from '../baselines/procedure.ts';
import { evacuationWorkflows, waitUntilEvacuationsEnded, withWorkers } from '../lazarus-run.ts';
import type { ProcedureRun } from '../real-nova-figures.ts';
import { countsBetween } from '../real-nova-figures.ts';
import {
  computeServiceId,
  crashCompute,
  evacuationsFrom,
  ipmiPower,
  updateComputeService,
  watchLandings,
} from './compute-steps.ts';
import type { CountedCloud } from './counted-cloud.ts';
import type { CountingProxy } from './counting-proxy.ts';

/** A bound on a hang, not a wait: 30 fake-driver evacuations land in seconds. */
const LANDING_TIMEOUT_MS = 600_000;

/** One host's part of the run: `servers` ACTIVE on `host`, whose nova-compute still runs. */
export interface HostUnderTest {
  real: RealNova;
  /** The bench's own Nova calls, straight to nova-api: never counted. */
  nova: NovaCall;
  proxy: CountingProxy;
  host: string;
  servers: readonly string[];
}

/** What a procedure tells of itself: when it proved fencing, and when it knew every landing if it checks them. */
interface ProcedureEnd {
  fencingProofAt: number;
  verifiedAt?: number;
}

/**
 * Crashes the host, reports it (the clock starts), lets `recover` run to its own end, then waits
 * for every landing and reads Nova's records: evacuations per server, where each server is.
 */
async function measureRecovery(
  target: HostUnderTest,
  procedure: string,
  recover: (reportedAt: number) => Promise<ProcedureEnd>,
): Promise<ProcedureRun> {
  const { nova, host, servers, proxy } = target;
  const watch = watchLandings(nova, host);
  try {
    crashCompute(target.real, host);
    const before = proxy.counts();
    const loadAtReport = loadavg()[0] ?? 0;
    const reportedAt = Date.now();
    const end = await recover(reportedAt);
    const requests = countsBetween(before, proxy.counts());
    const lastLandedAt = await watch.allLanded(servers, LANDING_TIMEOUT_MS);
    const evacuations = await evacuationsFrom(nova, host);
    const { body } = await nova('GET', '/servers/detail?all_tenants=1');
    const activeElsewhere = (
      body as { servers: { id: string; status: string; 'OS-EXT-SRV-ATTR:host': string }[] }
    ).servers.filter(
      (server) =>
        servers.includes(server.id) &&
        server.status === 'ACTIVE' &&
        server['OS-EXT-SRV-ATTR:host'] !== host,
    ).length;
    return {
      procedure,
      host,
      servers: servers.length,
      reportedAt,
      loadAtReport,
      ...end,
      firstEvacuationAt: Math.min(...evacuations.map((evacuation) => evacuation.createdAt)),
      lastLandedAt,
      requests,
      evacuationsPerServer: servers.map(
        (server) => evacuations.filter((evacuation) => evacuation.instance === server).length,
      ),
      activeElsewhere,
    };
  } finally {
    await watch.stop();
  }
}

/**
 * The physical limit, measured: one IPMI power-off and status reads with no pause until Off, one
 * PUT forcing the service down, then every evacuate at once. The service id and the server list
 * are read before the crash: the limit knows them for free.
 */
export async function runPhysicalLimit(target: HostUnderTest): Promise<ProcedureRun> {
  const serviceId = await computeServiceId(target.nova, target.host);
  const nova = novaAt(target.proxy.novaUrl, await target.real.adminToken());
  return measureRecovery(target, 'physical limit (measured)', async () => {
    const bmc = ipmiPower(target.real, target.host);
    await bmc.forceOff();
    const fencingProofAt = await pollUntil(
      `${target.host}'s BMC to read Off`,
      async () => ((await bmc.powerState()) === 'Off' ? Date.now() : undefined),
      { timeoutMs: 20_000, intervalMs: 0 },
    );
    await updateComputeService(nova, serviceId, { forced_down: true });
    await Promise.all(
      target.servers.map(async (server) => {
        const answer = await nova('POST', `/servers/${server}/action`, { evacuate: {} });
        if (answer.status !== 200)
          throw new Error(`Nova refused to evacuate ${server}: ${answer.status}`);
      }),
    );
    return { fencingProofAt };
  });
}

/** bench/baselines/pacemaker.ts as it is, its Nova calls through the proxy and its fencing over IPMI. */
export async function runPacemaker(target: HostUnderTest): Promise<ProcedureRun> {
  // Logged in before the crash: a Keystone request, and fence_compute's session outlives one failure.
  const nova = await openNovaSession(
    {
      keystoneUrl: target.real.keystoneUrl,
      novaUrl: target.proxy.novaUrl,
      credentials: target.real.credentials,
    },
    PACEMAKER_MICROVERSION,
  );
  return measureRecovery(target, 'Pacemaker (re-enacted)', async (reportedAt) => {
    const recovery = await recoverLikePacemaker(
      {
        nova,
        bmc: (host) => ipmiPower(target.real, host),
        now: () => Date.now(),
        // A real Nova runs in real time: NovaEvacuate's 10 s monitor is 10 real seconds.
        sleep: scaledSleep(1),
      },
      target.host,
      reportedAt,
    );
    if (recovery.failedInstances > 0)
      throw new Error(
        `the Pacemaker re-enactment failed ${recovery.failedInstances} evacuate calls`,
      );
    return { fencingProofAt: recovery.fencingProofAt };
  });
}

/**
 * Lazarus with its defaults: a fresh dev server, one worker process with a lazarus.yaml of IPMI BMCs
 * whose cloud reaches Nova through the proxy's catalog region, the report by signal-with-start.
 * Done once the incident's evacuations ended; verified at the last evacuation workflow's close.
 */
export async function runLazarus(
  target: HostUnderTest,
  options: { cliPath: string; workDir: string; cloud: CountedCloud },
): Promise<ProcedureRun> {
  const configPath = await writeLazarusConfig(target.real, {
    dir: options.workDir,
    taskQueue: DEFAULT_TASK_QUEUE,
    cloudName: options.cloud.cloudName,
  });
  const config = await loadConfig({ path: configPath, env: {} });
  return withWorkers(
    {
      cliPath: options.cliPath,
      workDir: options.workDir,
      configPath,
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: options.cloud.cloudsYaml },
      workers: 1,
    },
    ({ client }) =>
      measureRecovery(target, 'Lazarus', async () => {
        const handle: WorkflowHandle = await client.workflow.signalWithStart<
          typeof incidentWorkflow,
          [{ reporter: string }]
        >('incidentWorkflow', {
          taskQueue: DEFAULT_TASK_QUEUE,
          ...reportHostFailure({ host: target.host, reporter: 'bench' }, config.incident),
        });
        const state = await waitUntilEvacuationsEnded(handle);
        const closed = await evacuationWorkflows(client, [state]);
        return {
          fencingProofAt: Date.parse(state.fencing.proof?.readAt ?? 'no proof'),
          verifiedAt: Math.max(...closed.map((evacuation) => evacuation.closedAt)),
        };
      }),
  );
}
