// The worker and receiver processes with payload encryption in lazarus.yaml: the worker runs
// workflows whose every input and result the deployment's keys encrypt, the receiver's reports
// reach Temporal encrypted, and a wrong key file stops either at start in one line, before any
// payload is written.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyIdOf } from '../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import { payloadCodecOf } from '../../../client/payload-encryption/data-converter.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { incidentWorkflowId, reportSignal } from '../../../contracts/incident-messages.ts';
import type { workerHealthCheck } from '../../../workflows/worker-health-check.ts';
import { exitOf, stopGracefully, waitForOutput } from '../../support/child-output.ts';
import type { EncryptionSetup } from '../../support/payload-encryption.ts';
import { bytesOf, storedHistory, writeEncryptionConfig } from '../../support/payload-encryption.ts';
import { spawnReceiver } from '../../support/receiver-process.ts';
import { REPO_ROOT, WORKER_ENTRY } from '../../support/repository.ts';

const { address, namespace } = inject('temporal');
const env = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };
const TASK_QUEUE = `encrypted-processes-${process.pid}`;
// Reports of a host of no cloud: nothing runs the incident, the report only has to reach Temporal.
const HOST = 'intake-encrypted-01';
const TOKEN = 'encrypted-receiver-token-7c1d0e';

describe('the worker and the receiver with payload encryption', () => {
  let directory: string;
  let setup: EncryptionSetup;
  let connection: Connection;

  const spawnWorker = (config: string) =>
    spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY, '--config', config], {
      cwd: REPO_ROOT,
      env,
    });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-encrypted-processes-'));
    setup = await writeEncryptionConfig(directory, 'lazarus', {
      activeKey: 'k1',
      keyIds: ['k1'],
      temporalYaml: `  taskQueue: ${TASK_QUEUE}\n  maxConcurrentActivities: 2\n  maxCachedWorkflows: 10\n`,
    });
    await writeFile(join(directory, 'token'), `${TOKEN}\n`, { mode: 0o600 });
    connection = await Connection.connect({ address });
  });
  afterAll(async () => {
    await new Client({ connection, namespace }).workflow
      .getHandle(incidentWorkflowId(HOST))
      .terminate('encrypted processes test done')
      .catch(() => undefined);
    await connection.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('the worker runs workflows on encrypted payloads: readable with the keys, not without', async () => {
    const codec = await payloadCodecOf(await loadConfig({ path: setup.config, env: {} }));
    const worker = spawnWorker(setup.config);
    try {
      await waitForOutput(worker, /^lazarus worker: payloads are encrypted with key k1$/m);
      const workflowId = `worker-health-check/${TASK_QUEUE}`;
      const withKeys = new Client({
        connection,
        namespace,
        dataConverter: { payloadCodecs: codec === undefined ? [] : [codec] },
      });
      const health = await withKeys.workflow.execute<typeof workerHealthCheck>(
        'workerHealthCheck',
        { taskQueue: TASK_QUEUE, workflowId },
      );
      expect(health.worker).toMatchObject({ pid: worker.pid, taskQueue: TASK_QUEUE });

      const history = await storedHistory(withKeys, workflowId);
      const results = (history.events ?? []).flatMap((event) => [
        ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
        ...(event.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
      ]);
      expect(results.map((payload) => keyIdOf(payload))).toEqual(['k1', 'k1']);
      expect(bytesOf(history).includes(`"pid":${worker.pid}`)).toBe(false);
      await expect(
        new Client({ connection, namespace }).workflow.getHandle(workflowId).result(),
      ).rejects.toThrow(/Unknown encoding: binary\/encrypted/);
      expect(await stopGracefully(worker, /^lazarus worker: stopped$/m)).toBe(0);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('the receiver sends reports encrypted', async () => {
    const receiver = spawnReceiver(
      { config: setup.config, tokenFile: join(directory, 'token') },
      env,
    );
    try {
      // The receiver says where it listens, then how it treats payloads.
      const [, url = ''] = await waitForOutput(
        receiver,
        /listening on (http:\/\/127\.0\.0\.1:\d+).*\nlazarus receiver: payloads are encrypted with key k1$/m,
      );
      const reason = 'NodeDown: node_exporter of rack B7 silent for 90 s';
      const response = await fetch(`${url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ host: HOST, reporter: 'consul', reason }),
      });
      expect(response.status).toBe(202);

      const history = await storedHistory(
        new Client({ connection, namespace }),
        incidentWorkflowId(HOST),
      );
      expect(bytesOf(history).includes(reason)).toBe(false);
      const [signalled] = (history.events ?? []).flatMap((event) =>
        event.workflowExecutionSignaledEventAttributes?.signalName === reportSignal.name
          ? (event.workflowExecutionSignaledEventAttributes.input?.payloads ?? [])
          : [],
      );
      expect(keyIdOf(signalled ?? {})).toBe('k1');
      const codec = await payloadCodecOf(await loadConfig({ path: setup.config, env: {} }));
      const [decoded] = (await codec?.decode([signalled ?? {}])) ?? [];
      expect(defaultPayloadConverter.fromPayload(decoded ?? {})).toMatchObject({
        reporter: 'intake-token',
        reason: expect.stringContaining(reason) as unknown,
      });
      expect(await stopGracefully(receiver, /^lazarus receiver: stopped$/m)).toBe(0);
    } finally {
      receiver.kill('SIGKILL');
    }
  });

  it('a key file gone missing stops the worker and the receiver at start, in one line, exit 1', async () => {
    const broken = await writeEncryptionConfig(directory, 'missing-key', {
      activeKey: 'gone',
      keyIds: ['gone'],
      // A key taken as written already: its file is never made.
      keyTexts: { gone: 'never written' },
    });
    const children = {
      worker: spawnWorker(broken.config),
      receiver: spawnReceiver({ config: broken.config, tokenFile: join(directory, 'token') }, env),
    };
    const stderrs = Object.entries(children).map(([name, child]) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      return { name, child, stderr: () => stderr };
    });
    for (const { name, child, stderr } of stderrs) {
      expect(await exitOf(child)).toBe(1);
      expect(stderr()).toMatch(
        new RegExp(
          `^lazarus ${name}: configuration .*missing-key\\.yaml is invalid:\\n {2}temporal\\.payloadEncryption\\.keys\\[0\\]\\.file: .*gone\\.key \\(key gone\\) does not exist; write the key there`,
        ),
      );
      expect(stderr()).not.toMatch(/\n\s+at /);
    }
  });
});
