// Reporters are who their token says (docs/design.md#i10-every-report-answered): the receiver takes
// one token per health checker from its token file and records the token's name as the report's
// reporter, whatever the payload claims, so corroboration's minReporters counts real reporters. No
// token appears in its output or in the incident's history (docs/design.md#i7-no-secrets-in-history-or-logs).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { exitOf, stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';
import { reportsInHistory } from '../../../support/incident-history.ts';
import { spawnReceiver } from '../../../support/receiver-process.ts';

const { address, namespace } = inject('temporal');
const [HOST = ''] = failedHostsOf('reporter-tokens');
const TOKENS = {
  consul: 'reporter-tokens-consul-3f9a1c7e52',
  detector: 'reporter-tokens-detector-8b2d4e6f1',
} as const;

/** Everything the process printed so far, on either stream. */
function collectOutput(child: ChildProcessWithoutNullStreams): () => string {
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  return () => output;
}

describe('reporters named by their tokens', () => {
  let directory: string;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    directory = await mkdtemp(join(tmpdir(), 'lazarus-reporter-tokens-'));
    await writeFile(
      join(directory, 'lazarus.yaml'),
      'temporal:\n  taskQueue: reporter-tokens-test\n',
    );
    await writeFile(
      join(directory, 'tokens'),
      `# one line per health checker: name:token\nconsul:${TOKENS.consul}\n\ndetector:${TOKENS.detector}\n`,
      { mode: 0o600 },
    );
  });
  afterAll(async () => {
    await client.workflow
      .getHandle(incidentWorkflowId(HOST))
      .terminate('reporter tokens test done')
      .catch(() => undefined);
    await connection.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('records the reporter its token names, not the one the payload claims, and never shows a token', async () => {
    const receiver = spawnReceiver(
      { config: join(directory, 'lazarus.yaml'), tokenFile: join(directory, 'tokens') },
      { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
    );
    const output = collectOutput(receiver);
    try {
      const [, url = ''] = await waitForOutput(
        receiver,
        /^lazarus receiver: listening on (http:\/\/127\.0\.0\.1:\d+) /m,
      );
      const report = (token: string, reporter: string) =>
        fetch(`${url}/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ host: HOST, reporter, reason: 'ping lost' }),
        });

      // One health checker pretending to be two counts once.
      expect((await report(TOKENS.consul, 'detector')).status).toBe(202);
      expect((await report(TOKENS.consul, 'nagios')).status).toBe(202);
      expect((await report(TOKENS.detector, 'detector')).status).toBe(202);
      expect((await report(`${TOKENS.consul}x`, 'consul')).status).toBe(401);

      const reports = await reportsInHistory(client, HOST);
      expect(reports.map((recorded) => recorded.reporter)).toEqual([
        'consul',
        'consul',
        'detector',
      ]);
      const history = JSON.stringify(
        await client.workflow.getHandle(incidentWorkflowId(HOST)).fetchHistory(),
      );
      expect(await stopGracefully(receiver, /^lazarus receiver: stopped$/m)).toBe(0);
      for (const token of Object.values(TOKENS)) {
        expect(history).not.toContain(token);
        expect(output()).not.toContain(token);
      }
    } finally {
      receiver.kill('SIGKILL');
    }
  });

  it('refuses a token file with a line that names no reporter, without showing the line', async () => {
    const file = join(directory, 'bad-tokens');
    await writeFile(file, `consul:${TOKENS.consul}\n${TOKENS.detector}\n`, { mode: 0o600 });
    const receiver = spawnReceiver(
      { config: join(directory, 'lazarus.yaml'), tokenFile: file },
      { ...process.env, TEMPORAL_ADDRESS: address },
    );
    const output = collectOutput(receiver);
    try {
      await waitForOutput(receiver, /line 2 of .*bad-tokens is not "name:token"/m);
      expect(await exitOf(receiver)).toBe(1);
      expect(output()).not.toContain(TOKENS.detector);
    } finally {
      receiver.kill('SIGKILL');
    }
  });
});
