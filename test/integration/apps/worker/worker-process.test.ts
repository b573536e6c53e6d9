// `npm run worker`: the worker process serves its task queue on the test run's dev server, with the
// activities built from its configuration, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { workerHealthCheck } from '../../../../workflows/worker-health-check.ts';
import { exitOf, stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { REPO_ROOT, WORKER_ENTRY } from '../../../support/repository.ts';

const { address, namespace } = inject('temporal');

describe('the worker process', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-worker-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('serves its task queue with the activities it built, then stops on SIGTERM and exits 0', async () => {
    const taskQueue = `worker-process-${process.pid}`;
    const configPath = join(directory, 'lazarus.yaml');
    await writeFile(
      configPath,
      `temporal:\n  taskQueue: ${taskQueue}\n  maxConcurrentActivities: 4\n  maxCachedWorkflows: 10\n`,
    );
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_ENTRY, '--config', configPath],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
      },
    );
    let stderr = '';
    worker.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitForOutput(
        worker,
        new RegExp(
          `^lazarus worker: serving task queue ${taskQueue} in namespace ${namespace} at ${address}`,
          'm',
        ),
      );
      const connection = await Connection.connect({ address });
      try {
        const health = await new Client({ connection, namespace }).workflow.execute<
          typeof workerHealthCheck
        >('workerHealthCheck', { taskQueue, workflowId: `worker-health-check/${taskQueue}` });
        expect(health.worker).toMatchObject({ pid: worker.pid, taskQueue });
      } finally {
        await connection.close();
      }
      expect(await stopGracefully(worker, /^lazarus worker: stopped$/m)).toBe(0);
      expect(stderr).not.toMatch(/error/i);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('refuses a configuration it cannot load, saying which file and why, and exits 1', async () => {
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_ENTRY, '--config', join(directory, 'missing.yaml')],
      { cwd: REPO_ROOT },
    );
    const [line] = await waitForOutput(
      worker,
      /^lazarus worker: configuration file .*missing\.yaml does not exist.*$/m,
    );
    expect(line).toContain('name it with --config or LAZARUS_CONFIG');
    expect(await exitOf(worker)).toBe(1);
  });
});
