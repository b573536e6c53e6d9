// One real Temporal dev server for the whole test run, handed to tests with inject('temporal').
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../infra/temporal/dev-server.ts';
import { ensureTemporalCli } from '../../infra/temporal/temporal-cli.ts';

export interface TemporalTestServer {
  address: string;
  namespace: string;
  cliPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTestServer;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cliPath = await ensureTemporalCli();
  // No Web UI for the shared server: the tests that need one start their own.
  const server = await startDevServer({ cliPath, ui: false });
  project.provide('temporal', { address: server.address, namespace: server.namespace, cliPath });
  return () => server.stop();
}
