// A chaos campaign: N seeded runs, a few at a time, the workflows bundled once for all their workers.
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../infra/temporal/temporal-cli.ts';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { WORKFLOWS_PATH } from '../apps/worker/create-worker.ts';
import type { RunReport } from './run-once.ts';
import { runOnce } from './run-once.ts';
import type { ChaosShape } from './schedule.ts';
import { planRun } from './schedule.ts';
import type { CampaignSummary } from './summary.ts';
import { summarize } from './summary.ts';

export interface CampaignOptions {
  runs: number;
  /** Run i uses seed + i, so any run is replayed alone with `--runs 1 --seed <its seed>`. */
  seed: number;
  shape: ChaosShape;
  /** Runs at once; each has its own simulator, dev server and workers. */
  parallel: number;
  rebuildSeconds: number;
  onRun?: (report: RunReport) => void;
}

const ignore = (): void => undefined;
const quiet = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  log: ignore,
};

export async function runCampaign(
  options: CampaignOptions,
): Promise<{ reports: RunReport[]; summary: CampaignSummary }> {
  const startedAt = Date.now();
  const cliPath = await ensureTemporalCli();
  const workDirectory = await mkdtemp(join(tmpdir(), 'lazarus-chaos-'));
  // Ctrl-C: the guardians stop every server and worker; the runs' files go too.
  const interrupted = (): void => {
    rmSync(workDirectory, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const bundlePath = join(workDirectory, 'workflow-bundle.js');
    await writeFile(
      bundlePath,
      (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code,
    );
    const seeds = Array.from({ length: options.runs }, (_, index) => options.seed + index);
    // Reports in seed order, however the runs overlap; onRun hears of each as it ends.
    const reports = await mapWithConcurrency(seeds, options.parallel, async (seed) => {
      const report = await runOnce(planRun(seed, options.shape), {
        cliPath,
        bundlePath,
        workDirectory,
        rebuildSeconds: options.rebuildSeconds,
      });
      options.onRun?.(report);
      return report;
    });
    return { reports, summary: summarize(reports, Date.now() - startedAt) };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await rm(workDirectory, { recursive: true, force: true });
  }
}
