// The bounded chaos run of every `npm test`: two seeded runs against real processes (a dev server on
// SQLite, worker processes, the simulator) in which workers and the server are SIGKILLed while the
// incidents run. Seeds 146 and 147 kill a worker at the evacuate boundary and kill the server; a
// human evacuates by hand, a destination host fails too, Nova's answers get lost, and seed 147
// resets an incident and re-admits its host while the reset run's predecessor still evacuates —
// the I1 this campaign once found (workflows/README.md, "Reset"). It fails on any violation, and
// when the kills it is about did not happen.
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../../chaos/campaign.ts';
import { DEFAULT_REBUILD_SECONDS } from '../../../chaos/run-once.ts';
import { formatTimeline } from '../../../chaos/timeline.ts';

const CI_SEED = 146;

describe('a bounded chaos campaign', () => {
  it(
    'breaks no invariant while workers and the Temporal server are killed mid-incident and faults are injected',
    { timeout: 480_000 },
    async () => {
      const { reports, summary } = await runCampaign({
        runs: 2,
        seed: CI_SEED,
        shape: { hosts: 8, instancesPerHost: 5 },
        parallel: 2,
        rebuildSeconds: DEFAULT_REBUILD_SECONDS,
      });

      const broken = reports
        .filter((run) => run.violations.length > 0)
        .map(
          (run) =>
            `seed ${run.seed}:\n${run.violations.map((v) => `${v.invariant}: ${v.message}`).join('\n')}\n${formatTimeline(run.timeline)}`,
        );
      expect(broken).toEqual([]);
      expect(summary.workerKills).toBeGreaterThanOrEqual(4);
      expect(summary.serverKills).toBeGreaterThanOrEqual(1);
      expect(summary.recovered).toBeGreaterThan(0);
    },
  );
});
