// Lazarus on a production-shaped Temporal cluster (infra/cluster/): PostgreSQL, the four services
// as separate processes, mTLS required. Two worker processes and the receiver connect the standard
// way (TEMPORAL_* settings with a client certificate). Each disruption strikes mid-evacuation, and
// each time every instance of the failed host lands, evacuated exactly once (the simulator's
// ledger), while `lazarus show` answers or says clearly why it cannot.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Cluster } from '../../infra/cluster/cluster.ts';
import { startCluster } from '../../infra/cluster/cluster.ts';
import type { DemoCloud } from '../../demo/demo-cloud.ts';
import { startDemoCloud } from '../../demo/demo-cloud.ts';
import type { IncidentState } from '../../contracts/incident-messages.ts';
import { incidentWorkflowId, stateQuery } from '../../contracts/incident-messages.ts';
import { pollUntil } from '../../lib/poll-until.ts';
import { runLazarus } from '../support/lazarus-cli.ts';
import { bytesOf, storedHistory } from '../support/payload-encryption.ts';
import { expectNoProcessLeft } from '../support/processes.ts';

const INSTANCES_PER_HOST = 6;
const EVACUATED_PHASES = new Set(['AwaitingReadmission', 'Readmitted', 'Reported']);

let cluster: Cluster;
let cloud: DemoCloud;
let hosts: string[];

beforeAll(async () => {
  cluster = await startCluster({ uiPort: 0 });
  // Payloads encrypted with a key only the deployment's processes read (docs/design.md#encrypted-payloads).
  const keyFile = join(cluster.directory, 'payload-2026-12.key');
  await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  cloud = await startDemoCloud({
    // Three failures among twelve hosts stay within the storm guard's default blast radius.
    hosts: 12,
    instancesPerHost: INSTANCES_PER_HOST,
    ipmiHosts: 1,
    timeScale: 10,
    say: () => undefined,
    workers: 2,
    payloadEncryption: { activeKey: '2026-12', keys: [{ id: '2026-12', file: keyFile }] },
    temporal: {
      address: cluster.address,
      namespace: cluster.namespace,
      uiUrl: undefined,
      env: cluster.env,
      connect: () => cluster.connect(),
    },
  });
  hosts = cloud.sim.state().hosts.map((host) => host.name);
});

afterAll(async () => {
  await cloud.stop();
  await cluster.stop();
  await expectNoProcessLeft(['--env', 'production', '--allow-no-auth']);
});

function evacuatesOf(host: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of cloud.sim.ledger())
    if (entry.kind === 'evacuate' && entry.sourceHost === host)
      counts.set(entry.instance, (counts.get(entry.instance) ?? 0) + 1);
  return counts;
}

/**
 * Fails the host, reports it through the receiver (again after a 503, as Alertmanager does while
 * the alert fires), and waits until Nova accepted a first evacuate.
 */
async function failMidEvacuation(host: string): Promise<string[]> {
  // Earlier recoveries may have landed instances here: the host's own are those it has now.
  const onHost = cloud.sim
    .state()
    .instances.filter((instance) => instance.host === host)
    .map((instance) => instance.uuid);
  cloud.sim.failHost(host, 'power-loss');
  let refusal = '';
  await pollUntil(
    `the receiver to take the report of ${host}`,
    () =>
      cloud.reportFailure(host).catch((error: unknown) => {
        refusal = String(error);
        return undefined;
      }),
    {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      onTimeout: () => `the receiver did not take the report of ${host}: ${refusal}`,
    },
  );
  await pollUntil(
    `a first evacuate from ${host}`,
    () => (evacuatesOf(host).size > 0 ? true : undefined),
    { timeoutMs: 120_000, intervalMs: 50 },
  );
  return onHost;
}

/** The incident's state once its evacuations ended; a query that fails meanwhile is asked again. */
async function evacuated(host: string): Promise<IncidentState> {
  const handle = cloud.client.workflow.getHandle(incidentWorkflowId(host));
  return pollUntil(
    `the evacuations from ${host} to end`,
    async () => {
      const state = await handle.query(stateQuery).catch(() => undefined);
      return state !== undefined && EVACUATED_PHASES.has(state.phase) ? state : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500 },
  );
}

/** Every instance of the host landed, and Nova was asked to evacuate each exactly once. */
function expectExactlyOnceRecovery(
  host: string,
  onHost: readonly string[],
  state: IncidentState,
): void {
  expect(onHost.length).toBeGreaterThanOrEqual(INSTANCES_PER_HOST);
  expect(state.instances.map((row) => row.instanceId).sort()).toEqual([...onHost].sort());
  expect(new Set(state.instances.map((row) => row.progress.outcome))).toEqual(new Set(['landed']));
  const evacuates = evacuatesOf(host);
  expect([...evacuates.keys()].sort()).toEqual([...onHost].sort());
  expect(new Set(evacuates.values())).toEqual(new Set([1]));
}

/** `lazarus show` over mTLS: it answers, or it says why not in a sentence, never a stack trace. */
async function expectShowAnswersOrExplains(host: string): Promise<void> {
  const shown = await runLazarus(['show', host, '--config', cloud.configPath], cluster.env);
  if (shown.status === 0) expect(shown.stdout).toContain(host);
  else {
    expect(shown.stderr).toMatch(/Temporal|cluster|unavailable|deadline|connect/i);
    expect(shown.stderr).not.toMatch(/^\s+at /m);
  }
}

describe('Lazarus on a production-shaped Temporal cluster (PostgreSQL, four services, mTLS)', () => {
  it('serves the Web UI against the cluster, which it reaches with its client certificate', async () => {
    const answer = await fetch(`${cluster.uiUrl ?? ''}/api/v1/namespaces`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain(`"name": "${cluster.namespace}"`);
  });

  it('refuses a client without a certificate', async () => {
    const bare = Connection.connect({ address: cluster.address, connectTimeout: 3_000 });
    await expect(
      bare.then((connection) => connection.workflowService.getSystemInfo({})),
    ).rejects.toThrow();
  });

  it('recovers a host with two workers when one is SIGKILLed mid-evacuation', async () => {
    const host = hosts[0] ?? '';
    const onHost = await failMidEvacuation(host);
    const [killed] = cloud.workers.filter((worker) => !worker.hasExited());
    await killed?.kill();
    await expectShowAnswersOrExplains(host);
    expectExactlyOnceRecovery(host, onHost, await evacuated(host));
    await cloud.startWorker();
    // What the cluster stores is ciphertext: read without the codec, no instance's name shows.
    const bare = new Client({ connection: await cluster.connect(), namespace: cluster.namespace });
    const stored = bytesOf(await storedHistory(bare, incidentWorkflowId(host)));
    await bare.connection.close();
    const names = cloud.sim
      .state()
      .instances.filter((instance) => onHost.includes(instance.uuid))
      .map((instance) => instance.name);
    expect(names.filter((name) => stored.includes(name))).toEqual([]);
    expect(stored.includes('binary/encrypted')).toBe(true);
  });

  it('recovers a host when the history service is SIGKILLed mid-evacuation and started again', async () => {
    const host = hosts[1] ?? '';
    const onHost = await failMidEvacuation(host);
    await cluster.kill('history');
    try {
      await expectShowAnswersOrExplains(host);
    } finally {
      await cluster.start('history');
    }
    expectExactlyOnceRecovery(host, onHost, await evacuated(host));
  });

  it('recovers a host when PostgreSQL restarts (fast shutdown) mid-evacuation', async () => {
    const host = hosts[2] ?? '';
    const onHost = await failMidEvacuation(host);
    const restarted = cluster.restartPostgres();
    try {
      await expectShowAnswersOrExplains(host);
    } finally {
      await restarted;
    }
    expectExactlyOnceRecovery(host, onHost, await evacuated(host));
  });
});
