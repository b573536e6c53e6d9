// Incidents with payload encryption on (docs/design.md#encrypted-payloads), on a real worker and
// the test run's dev server: what Temporal stores names hosts (workflow IDs, search attributes) but
// no instance, report or reason; the deployment's keys read it back, in the SDK, in `lazarus show`
// and in `temporal workflow show --codec-endpoint` through `lazarus codec-server`; and a key
// rotation leaves the history written before it readable while new payloads name the new key.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyIdOf } from '../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import type { AesGcmPayloadCodec } from '../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import { payloadCodecOf } from '../../../client/payload-encryption/data-converter.ts';
import { loadConfig } from '../../../config/load-config.ts';
import type { HostReport, IncidentState } from '../../../contracts/incident-messages.ts';
import {
  incidentWorkflowId,
  reportSignal,
  stateQuery,
} from '../../../contracts/incident-messages.ts';
import { reportHostFailure } from '../../../contracts/incident-start.ts';
import { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { runLazarus } from '../../support/lazarus-cli.ts';
import {
  bytesOf,
  payloadsIn,
  startCodecServerProcess,
  storedHistory,
  writeEncryptionConfig,
} from '../../support/payload-encryption.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const [HOST = '', ROTATED_HOST = ''] = failedHostsOf('payload-encryption');
const { address, namespace, cliPath } = inject('temporal');
const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };

const cloud = useIncidentCloud({ hosts: 56, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

const reportOf = (host: string): HostReport & { host: string; reason: string } => ({
  host,
  reporter: `consul-dc7-${host}`,
  reason: `serfHealth of ${host} critical since 03:14, ticket OPS-4471`,
});

/** A client of the test run's server that converts payloads as `config`'s processes do. */
async function clientFor(
  config: string,
): Promise<{ client: Client; dataConverter: DataConverter; codec: AesGcmPayloadCodec }> {
  const codec = await payloadCodecOf(await loadConfig({ path: config, env: {} }));
  if (codec === undefined) throw new Error(`${config} does not turn payload encryption on`);
  const dataConverter = { payloadCodecs: [codec] };
  const { connection } = temporal().client;
  return { client: new Client({ connection, namespace, dataConverter }), dataConverter, codec };
}

/** The incident's history and its evacuations', as stored: IDs from the incident's own events. */
async function storedHistories(host: string): Promise<Map<string, Buffer>> {
  const { client } = temporal();
  const incident = await storedHistory(client, incidentWorkflowId(host));
  const children = (incident.events ?? []).flatMap((event) => {
    const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id === undefined || id === null ? [] : [id];
  });
  const histories = new Map([[incidentWorkflowId(host), bytesOf(incident)]]);
  for (const id of children) histories.set(id, bytesOf(await storedHistory(client, id)));
  return histories;
}

/** The `report` signals of the incident's stored history, oldest first. */
async function reportPayloads(host: string): Promise<Payload[]> {
  const history = await storedHistory(temporal().client, incidentWorkflowId(host));
  return (history.events ?? []).flatMap((event) => {
    const signal = event.workflowExecutionSignaledEventAttributes;
    return signal?.signalName === reportSignal.name ? (signal.input?.payloads ?? []) : [];
  });
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-encrypted-payloads-'));
});
afterAll(async () => {
  for (const host of [HOST, ROTATED_HOST])
    await temporal()
      .client.workflow.getHandle(incidentWorkflowId(host))
      .terminate('encrypted payloads test done')
      .catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

describe('an incident with payload encryption on', () => {
  it('stores no instance name, reporter or reason in plaintext, and reads back whole with the keys: in the SDK, lazarus show and temporal workflow show', async () => {
    const { sim } = cloud();
    const setup = await writeEncryptionConfig(directory, 'lazarus', {
      activeKey: '2026-04',
      keyIds: ['2026-04'],
    });
    const { client, dataConverter, codec } = await clientFor(setup.config);
    const report = reportOf(HOST);
    const instances = sim.state().instances.filter((instance) => instance.host === HOST);
    expect(instances.length).toBeGreaterThan(0);
    sim.failHost(HOST, 'power-loss');

    const state: IncidentState = await temporal().withWorker(
      async (taskQueue) => {
        const handle = await client.workflow.signalWithStart(incidentWorkflow, {
          taskQueue,
          ...reportHostFailure(report, { policy: EVERY_INSTANCE_POLICY }),
        });
        const ended = await evacuationsEnded(client.workflow.getHandle(handle.workflowId));
        // lazarus show reads the incident with the configuration's keys, and says what is missing without.
        const shown = await runLazarus(['show', HOST, '--config', setup.config], env);
        expect(shown).toMatchObject({ status: 0, stderr: '' });
        for (const instance of instances) expect(shown.stdout).toContain(instance.name);
        const blind = await runLazarus(['show', HOST], env);
        expect(blind.status).toBe(1);
        expect(blind.stderr).toContain(
          'this deployment encrypts its payloads: name the lazarus.yaml that lists its keys (temporal.payloadEncryption) with --config or LAZARUS_CONFIG',
        );
        return ended;
      },
      { dataConverter },
    );
    expect(state.instances.map((row) => row.name).sort()).toEqual(
      instances.map((instance) => instance.name).sort(),
    );

    // What anyone reading Temporal's database sees: encrypted payloads, plaintext IDs.
    const histories = await storedHistories(HOST);
    expect(histories.size).toBe(1 + instances.length);
    const secrets = [report.reporter, report.reason, ...instances.map((instance) => instance.name)];
    for (const [workflowId, bytes] of histories) {
      for (const secret of secrets)
        expect(bytes.includes(secret), `${secret} in ${workflowId}`).toBe(false);
      expect(bytes.includes('binary/encrypted'), workflowId).toBe(true);
      expect(bytes.includes(HOST), `workflow IDs and LazarusHost name ${HOST}`).toBe(true);
    }
    const [stored] = await reportPayloads(HOST);
    expect(keyIdOf(stored ?? {})).toBe('2026-04');
    const [decoded] = await codec.decode([stored ?? {}]);
    expect(defaultPayloadConverter.fromPayload(decoded ?? {})).toEqual({
      reporter: report.reporter,
      reason: report.reason,
    });

    // temporal workflow show through the codec server, as an operator holding a token.
    const token = 'alice-codec-token-0123456789';
    await writeFile(join(directory, 'operators'), `alice:${token}\n`, { mode: 0o600 });
    const server = await startCodecServerProcess([
      '--config',
      setup.config,
      '--token-file',
      join(directory, 'operators'),
    ]);
    try {
      const show = (...codec: string[]) =>
        promisify(execFile)(cliPath, [
          'workflow',
          'show',
          '--address',
          address,
          '--namespace',
          namespace,
          '--workflow-id',
          incidentWorkflowId(HOST),
          '--detailed',
          ...codec,
        ]);
      const plain = await show('--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`);
      expect(plain.stdout).toContain(report.reason);
      expect(plain.stdout).toContain(`Host ${HOST} was reported failed by ${report.reporter}`);
      const raw = await show();
      for (const instance of instances) {
        expect(plain.stdout).toContain(instance.name);
        expect(raw.stdout).not.toContain(instance.name);
      }
      expect(raw.stdout).not.toContain(report.reason);
      expect(raw.stdout).toContain(
        `metadata.encoding: ${Buffer.from('binary/encrypted').toString('base64')}`,
      );
      await expect
        .poll(() => server.output())
        .toMatch(/POST \/decode 200 \d+ payloads? of namespace \S+ for alice/);
      for (const text of [token, ...Object.values(setup.keyTexts), report.reason])
        expect(server.output()).not.toContain(text);
    } finally {
      server.child.kill('SIGTERM');
    }
  });

  it('after a key rotation, reads the history the old key wrote and writes with the new key only', async () => {
    const { sim } = cloud();
    const before = await writeEncryptionConfig(directory, 'before-rotation', {
      activeKey: 'old',
      keyIds: ['old'],
    });
    const after = await writeEncryptionConfig(directory, 'after-rotation', {
      activeKey: 'new',
      keyIds: ['new', 'old'],
      keyTexts: before.keyTexts,
    });
    const old = await clientFor(before.config);
    const rotated = await clientFor(after.config);
    const report = reportOf(ROTATED_HOST);
    sim.failHost(ROTATED_HOST, 'power-loss');

    const taskQueue = await temporal().withWorker(
      async (taskQueue) => {
        await old.client.workflow.signalWithStart(incidentWorkflow, {
          taskQueue,
          ...reportHostFailure(report, { policy: EVERY_INSTANCE_POLICY }),
        });
        await evacuationsEnded(old.client.workflow.getHandle(incidentWorkflowId(ROTATED_HOST)));
        return taskQueue;
      },
      { dataConverter: old.dataConverter },
    );
    const written = (await storedHistories(ROTATED_HOST)).size;

    // The rotation: every process restarts with the new key active and the old one kept.
    const state = await temporal().withWorker(
      async () => {
        const handle = rotated.client.workflow.getHandle<typeof incidentWorkflow>(
          incidentWorkflowId(ROTATED_HOST),
        );
        await handle.signal(reportSignal, { reporter: 'after-rotation', reason: 'still down' });
        // A fresh worker replays the history the old key wrote before it answers.
        return handle.query(stateQuery);
      },
      { dataConverter: rotated.dataConverter, taskQueue },
    );
    expect(state.instances.length).toBeGreaterThan(0);
    expect(state.reports.map((entry) => entry.reporter)).toEqual([
      report.reporter,
      'after-rotation',
    ]);

    const reports = await reportPayloads(ROTATED_HOST);
    expect(reports.map((payload) => keyIdOf(payload))).toEqual(['old', 'new']);
    const history = await storedHistory(temporal().client, incidentWorkflowId(ROTATED_HOST));
    const keyIds = new Set(payloadsIn(history.events).map((payload) => keyIdOf(payload)));
    expect([...keyIds].filter((id) => id !== undefined).sort()).toEqual(['new', 'old']);
    expect((await storedHistories(ROTATED_HOST)).size).toBe(written);

    // Without the old key the old payloads are refused by name, never silently misread.
    const newOnly = await writeEncryptionConfig(directory, 'old-key-dropped', {
      activeKey: 'new',
      keyIds: ['new'],
      keyTexts: after.keyTexts,
    });
    const dropped = await clientFor(newOnly.config);
    await expect(dropped.codec.decode([reports[0] ?? {}])).rejects.toThrow(
      /encrypted with key old, which is not among the configured keys \(new\)/,
    );
  });
});
