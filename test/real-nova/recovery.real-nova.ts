// Lazarus end to end against a real Nova (issue 9, item 2): real worker processes on a real dev
// server fence a crashed compute through its IPMI BMC, force its nova-compute down, evacuate every
// server once, verify the landings through Nova's migration records, and re-admit the host once its
// compute runs again. The crash case kills the worker right after Nova accepted an evacuate; the
// worker that takes over must not send a second one (docs/design.md#i2-exactly-once), as Nova's
// own records show.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KillPoint } from '../../chaos/kill-points.ts';
import { Timeline, formatTimeline } from '../../chaos/timeline.ts';
import { WorkerFleet } from '../../chaos/worker-fleet.ts';
import { BUNDLE_VARIABLE } from '../../chaos/worker-protocol.ts';
import { createRandom } from '../../simulator/random.ts';
import { loadConfig } from '../../config/load-config.ts';
import { WORKFLOWS_PATH } from '../../apps/worker/create-worker.ts';
import {
  readmitUpdate,
  stateQuery,
  type IncidentState,
} from '../../contracts/incident-messages.ts';
import { progressTable } from '../../domain/incident-progress.ts';
import { reportHostFailure } from '../../contracts/incident-start.ts';
import { incidentWorkflow } from '../../workflows/incident-workflow.ts';
import { computeProcesses, ipmitool } from './compute-host.ts';
import { writeLazarusConfig } from './lazarus-config.ts';
import { bootOn, novaAt, until, type NovaCall } from './nova-calls.ts';
import { startRealNova, type RealNova } from './real-nova.ts';

const temporal = inject('temporal');
let real: RealNova;
let stopNova: (() => Promise<void>) | undefined;
let nova: NovaCall;
let client: Client;
let connection: Connection | undefined;
let dir: string;
let bundlePath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lazarus-recovery-'));
  bundlePath = join(dir, 'workflows.js');
  const ignore = (): void => undefined;
  const quiet = {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    log: ignore,
  };
  // Bundled once for every worker process, while Nova starts.
  const [started] = await Promise.all([
    startRealNova({ computeCount: 4 }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet }).then(({ code }) => {
      writeFileSync(bundlePath, code);
    }),
  ]);
  real = started;
  stopNova = () => started.stop();
  nova = novaAt(real.novaUrl, await real.adminToken());
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
});

afterAll(async () => {
  await connection?.close();
  await stopNova?.();
  rmSync(dir, { recursive: true, force: true });
});

function startFleet(configPath: string, timeline: Timeline): WorkerFleet {
  return new WorkerFleet({
    // Beside its config, so each scenario's worker logs stay apart.
    configPath,
    timeline,
    random: createRandom(9),
    logDirectory: dirname(configPath),
    env: {
      ...process.env,
      OS_CLIENT_CONFIG_FILE: real.cloudsYaml,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      [BUNDLE_VARIABLE]: bundlePath,
    },
  });
}

interface Migration {
  status: string;
  source_compute: string;
  dest_compute: string | null;
  created_at: string;
}

async function evacuationsOf(serverId: string): Promise<Migration[]> {
  const { body } = await nova(
    'GET',
    `/os-migrations?migration_type=evacuation&instance_uuid=${serverId}`,
  );
  return (body as { migrations: Migration[] }).migrations;
}

async function evacuateActionsOf(serverId: string): Promise<number> {
  const { body } = await nova('GET', `/servers/${serverId}/os-instance-actions`);
  return (body as { instanceActions: { action: string }[] }).instanceActions.filter(
    (a) => a.action === 'evacuate',
  ).length;
}

async function serverOf(serverId: string): Promise<{ host: string; status: string }> {
  const { body } = await nova('GET', `/servers/${serverId}`);
  const server = (body as { server: Record<string, string> }).server;
  return { host: server['OS-EXT-SRV-ATTR:host'] ?? '', status: server.status ?? '' };
}

interface ComputeService {
  id: string;
  forced_down: boolean;
  status: string;
  updated_at: string | null;
}

async function computeServiceOn(host: string): Promise<ComputeService> {
  const { body } = await nova('GET', `/os-services?binary=nova-compute&host=${host}`);
  const service = (body as { services: ComputeService[] }).services[0];
  if (service === undefined) throw new Error(`no nova-compute on ${host}`);
  return service;
}

/** A disabled compute is passed over by the scheduler: it keeps one scenario's landings off another's host. */
async function setComputeStatus(host: string, status: 'enabled' | 'disabled'): Promise<void> {
  const { id } = await computeServiceOn(host);
  const answer = await nova(
    'PUT',
    `/os-services/${id}`,
    status === 'enabled' ? { status } : { status, disabled_reason: 'kept for the crash case' },
  );
  if (answer.status !== 200)
    throw new Error(
      `could not set ${host} ${status}: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}

/** Nova's timestamps carry no zone; they are UTC. */
const novaTime = (stamp: string): number => Date.parse(stamp.endsWith('Z') ? stamp : `${stamp}Z`);

function phaseReached(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  phases: readonly string[],
  timeline: Timeline,
): Promise<IncidentState> {
  let last: IncidentState | undefined;
  return until(
    `${handle.workflowId} to reach ${phases.join(' or ')}`,
    async () => {
      last = await handle.query(stateQuery).catch(() => undefined);
      return last !== undefined && phases.includes(last.phase) ? last : undefined;
    },
    240_000,
  ).catch((error: unknown) => {
    throw new Error(
      `${String(error)}; it is ${last?.phase ?? 'unknown'}\n${last === undefined ? '' : progressTable(last)}\n${formatTimeline(timeline.entries)}`,
    );
  });
}

interface Recovery {
  servers: string[];
  evacuated: IncidentState;
  readmitted: IncidentState;
}

/**
 * Crashes `host`'s nova-compute (its BMC still says On), reports it to Lazarus, waits for the
 * evacuations, powers the host on again through its BMC, and re-admits it as an operator would.
 */
async function crashAndRecover(
  host: string,
  serverCount: number,
  killPoint?: KillPoint,
): Promise<Recovery & { fleet: WorkerFleet; timeline: Timeline }> {
  const taskQueue = `real-nova-recovery-${host}`;
  const configPath = await writeLazarusConfig(real, { dir, taskQueue });
  const config = await loadConfig({ path: configPath, env: {} });
  const timeline = new Timeline();
  const fleet = startFleet(configPath, timeline);
  try {
    const servers = await Promise.all(
      Array.from({ length: serverCount }, (_, i) =>
        bootOn(nova, real, host, `protected-${host}-${i}`),
      ),
    );
    await fleet.start(killPoint);
    for (const pid of computeProcesses(real, host)) process.kill(pid, 'SIGKILL');
    timeline.note(`${host}'s nova-compute crashed`);
    const handle = await client.workflow.signalWithStart(incidentWorkflow, {
      taskQueue,
      ...reportHostFailure(
        { host, reporter: 'real-nova-test', reason: 'nova-compute crashed' },
        config.incident,
      ),
    });
    const evacuated = await phaseReached(
      handle,
      ['AwaitingReadmission', 'Aborted', 'Reported'],
      timeline,
    );

    const poweredOnAt = Date.now();
    expect(await ipmitool(real, host, 'chassis', 'power', 'on')).toBe(
      'Chassis Power Control: Up/On',
    );
    // The fresh compute reports while still forced down; re-admission checks exactly that.
    await until(
      `${host}'s new nova-compute to report`,
      async () => {
        const { updated_at: updatedAt } = await computeServiceOn(host);
        return updatedAt !== null && novaTime(updatedAt) > poweredOnAt - 1_000 ? true : undefined;
      },
      120_000,
    );
    const outcome = await until(
      `${host} re-admitted`,
      () =>
        handle
          .executeUpdate(readmitUpdate, {
            args: [{ operator: 'real-nova-test', reason: 'compute restarted' }],
          })
          .catch((error: unknown) => {
            timeline.note(`readmit refused: ${String(error)}`);
            return undefined;
          }),
      120_000,
    );
    expect(outcome).toBe('Readmitted');
    return { servers, evacuated, readmitted: await handle.query(stateQuery), fleet, timeline };
  } finally {
    await fleet.stop();
  }
}

const crashCaseHost = 'cmp2';

describe('Lazarus against a real Nova', () => {
  it('fences a crashed compute over IPMI, evacuates each of its servers once, and re-admits it after it restarts', async () => {
    const host = 'cmp1';
    await setComputeStatus(crashCaseHost, 'disabled');
    const { servers, evacuated, readmitted } = await crashAndRecover(host, 3).finally(() =>
      setComputeStatus(crashCaseHost, 'enabled'),
    );
    expect(evacuated, progressTable(evacuated)).toMatchObject({
      phase: 'AwaitingReadmission',
      outcome: 'Recovered',
    });
    expect(evacuated.instances.map((row) => row.progress.outcome).sort()).toEqual(
      servers.map(() => 'landed'),
    );
    expect(readmitted.phase).toBe('Readmitted');

    const migrations = await Promise.all(servers.map(evacuationsOf));
    // Each server evacuated once; the restarted compute cleaned up, which completes the migrations.
    expect(migrations.map((list) => list.map((m) => [m.source_compute, m.status]))).toEqual(
      servers.map(() => [[host, 'completed']]),
    );
    for (const server of await Promise.all(servers.map(serverOf))) {
      expect(server.status).toBe('ACTIVE');
      expect(server.host).not.toBe(host);
    }
    // Fenced before anything moved: the power cut precedes the first evacuation Nova recorded.
    const powerOff = real.powerLog.find((event) => event.host === host && event.state === 'Off');
    expect(powerOff).toBeDefined();
    const firstEvacuation = Math.min(...migrations.flat().map((m) => novaTime(m.created_at)));
    expect(Date.parse(powerOff?.at ?? '')).toBeLessThanOrEqual(firstEvacuation);
    expect(
      real.powerLog.filter((event) => event.host === host).map((event) => event.state),
    ).toEqual(['Off', 'On']);

    expect(await computeServiceOn(host)).toMatchObject({ forced_down: false, status: 'enabled' });
  }, 420_000);

  it('sends no second evacuate when the worker dies right after Nova accepted one', async () => {
    const host = crashCaseHost;
    const { servers, readmitted, fleet, timeline } = await crashAndRecover(host, 2, {
      activityType: 'evacuateInstance',
      moment: 'after',
      occurrence: 1,
    });
    // The armed worker did die at its boundary, and the fleet's next worker finished the incident.
    expect(fleet.boundaryKills, formatTimeline(timeline.entries)).toBe(1);
    expect(fleet.unexpectedExits).toBe(0);
    expect(readmitted, progressTable(readmitted)).toMatchObject({
      phase: 'Readmitted',
      outcome: 'Recovered',
    });
    for (const serverId of servers) {
      expect(await evacuationsOf(serverId)).toHaveLength(1);
      expect(await evacuateActionsOf(serverId)).toBe(1);
      expect((await serverOf(serverId)).host).not.toBe(host);
    }
  }, 420_000);
});
