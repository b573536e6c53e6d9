// `npm run receiver` as a process: reads its token from a file, takes reports on the configured task
// queue, stops on SIGTERM with exit 0; refuses to start without a token, saying how to give one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { exitOf, stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { spawnReceiver } from '../../../support/receiver-process.ts';

const { address, namespace } = inject('temporal');
const HOST = 'intake-process-01';
const TOKEN = 'receiver-process-token-0b7e41';

describe('the receiver process', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-receiver-'));
    await writeFile(
      join(directory, 'lazarus.yaml'),
      'temporal:\n  taskQueue: receiver-process-test\n',
    );
    await writeFile(join(directory, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    const connection = await Connection.connect({ address });
    await new Client({ connection, namespace }).workflow
      .getHandle(incidentWorkflowId(HOST))
      .terminate('receiver process test done')
      .catch(() => undefined);
    await connection.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('starts incidents on the configured task queue from authenticated reports, then stops on SIGTERM and exits 0', async () => {
    const receiver = spawnReceiver(
      { config: join(directory, 'lazarus.yaml'), tokenFile: join(directory, 'token') },
      { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
    );
    try {
      const [, url] = await waitForOutput(
        receiver,
        /^lazarus receiver: listening on (http:\/\/127\.0\.0\.1:\d+) .*task queue receiver-process-test/m,
      );
      const response = await fetch(`${url ?? ''}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ host: HOST, reporter: 'consul' }),
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ workflowId: incidentWorkflowId(HOST) });
      expect(await stopGracefully(receiver, /^lazarus receiver: stopped$/m)).toBe(0);
    } finally {
      receiver.kill('SIGKILL');
    }
  });

  it('refuses to start without a token and says how to give one, with exit 1', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: address };
    delete env.LAZARUS_INTAKE_TOKEN;
    const receiver = spawnReceiver({ config: join(directory, 'lazarus.yaml') }, env);
    await waitForOutput(
      receiver,
      /^lazarus receiver: no intake token: set LAZARUS_INTAKE_TOKEN or pass --token-file FILE/m,
    );
    expect(await exitOf(receiver)).toBe(1);
  });
});
