// Starting and stopping dev servers of our own: the Web UI, SQLite persistence, and no orphans.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDevServer } from '../../../../infra/temporal/dev-server.ts';
import { exitOf, waitForOutput } from '../../../support/child-output.ts';
import { expectNoProcessLeft } from '../../../support/processes.ts';
import { temporalWorkflowList } from '../../../support/temporal-cli-list.ts';
import { REPO_ROOT } from '../../../support/repository.ts';

const { cliPath } = inject('temporal');

describe('npm run temporal:dev', () => {
  it('prints the gRPC address and a Web UI URL that answers 200, lists started workflows, and stops on Ctrl-C leaving no server behind', async () => {
    const child = spawn('npm', ['run', '--silent', 'temporal:dev'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEMPORAL_CLI_PATH: cliPath },
    });
    try {
      const [, port, uiUrl] = await waitForOutput(
        child,
        /Temporal dev server: 127\.0\.0\.1:(\d+)[\s\S]*Web UI: (http:\/\/\S+)/,
      );
      expect(uiUrl).toBe(`http://127.0.0.1:${Number(port) + 1000}`);
      const response = await fetch(uiUrl ?? '');
      expect(response.status).toBe(200);
      await response.body?.cancel();

      const address = `127.0.0.1:${port}`;
      const connection = await Connection.connect({ address });
      await new Client({ connection }).workflow.start('neverRunsHere', {
        taskQueue: 'nobody-polls',
        workflowId: 'seen-by-the-cli',
      });
      await connection.close();
      const listed = await temporalWorkflowList(
        cliPath,
        address,
        'default',
        'WorkflowId = "seen-by-the-cli"',
      );
      expect(listed.map((entry) => entry.status)).toEqual(['WORKFLOW_EXECUTION_STATUS_RUNNING']);

      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(0);
      await expectNoProcessLeft(['start-dev', '--port', String(port)]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('startDevServer', () => {
  it('never leaves the server running when the process that started it is SIGKILLed', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'start-dev-server-then-wait.ts')],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TEMPORAL_CLI_PATH: cliPath },
      },
    );
    const [, port] = await waitForOutput(child, /"address":"127\.0\.0\.1:(\d+)"/);
    child.kill('SIGKILL');
    await expectNoProcessLeft(['start-dev', '--port', String(port)]);
  });

  describe('with an SQLite file', () => {
    let directory: string;
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'lazarus-sqlite-'));
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('keeps workflow history across a restart of the server', async () => {
      const dbFile = join(directory, 'temporal.sqlite');
      const workflowId = 'survives-restart';
      const first = await startDevServer({ cliPath, dbFile, ui: false });
      try {
        const connection = await Connection.connect({ address: first.address });
        await new Client({ connection }).workflow.start('neverRunsHere', {
          taskQueue: 'nobody-polls',
          workflowId,
        });
        await connection.close();
      } finally {
        await first.stop();
      }

      const second = await startDevServer({ cliPath, dbFile, ui: false });
      try {
        const connection = await Connection.connect({ address: second.address });
        const description = await new Client({ connection }).workflow
          .getHandle(workflowId)
          .describe();
        expect(description.status.name).toBe('RUNNING');
        await connection.close();
      } finally {
        await second.stop();
      }
    });
  });
});
