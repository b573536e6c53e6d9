// A real worker process serving `--metrics` on a free port, for the tests that scrape it: started
// with the test's lazarus.yaml against the test's dev server, stopped whatever the scenario does.
import { spawn } from 'node:child_process';
import { findFreePort } from '../../infra/process/free-port.ts';
import { exitOf, waitForOutput } from './child-output.ts';
import { REPO_ROOT, WORKER_ENTRY } from './repository.ts';

export async function withMetricsWorker<T>(
  { configPath, env }: { configPath: string; env: NodeJS.ProcessEnv },
  temporal: { address: string; namespace: string },
  scenario: (scrape: () => Promise<string>) => Promise<T>,
): Promise<T> {
  const port = await findFreePort();
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER_ENTRY, '--config', configPath, '--metrics', `127.0.0.1:${port}`],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
      },
    },
  );
  try {
    // Bundling the workflows takes the worker a while on a busy 2-core machine.
    await waitForOutput(worker, /^lazarus worker: serving task queue/m, 120_000);
    return await scenario(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  } finally {
    worker.kill('SIGTERM');
    await exitOf(worker);
  }
}
