// The built-in detector: polls Nova's nova-compute services and, where the rules need them, the BMCs;
// reports a host once its rules have held for the debounce time, through the same typed client as
// any other health checker (the incident's own corroboration and the storm guard still apply).
// Polls never overlap: the next one starts `pollMs` after the last one ended.
import { setTimeout as sleep } from 'node:timers/promises';
import { LazarusError } from '../../activities/errors.ts';
import { readBmcPower } from '../../activities/incident/failure-evidence.ts';
import type {
  FencingProvider,
  NovaProvider,
} from '../../activities/incident/incident-dependencies.ts';
import type { HostFailureReport } from '../receiver/host-reports.ts';
import type { IncidentReceipt, SuppressedReport } from '../../client/send-host-report.ts';
import { isSuppressed } from '../../client/send-host-report.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import {
  assessHost,
  needsBmc,
  type DetectorRules,
  type HostObservation,
} from './detector-rules.ts';
import { debounceFailures, markUnreported, type HostTrack } from './failure-debounce.ts';

export interface DetectorSettings {
  rules: DetectorRules;
  pollMs: number;
  debounceMs: number;
  /** The reporter name incidents record, e.g. `lazarus-detector`. */
  reporter: string;
}

export interface DetectorOptions extends DetectorSettings {
  nova: Pick<NovaProvider, 'client'>;
  fencing: FencingProvider;
  report: (report: HostFailureReport) => Promise<IncidentReceipt | SuppressedReport>;
  log: (line: string) => void;
}

export interface RunningDetector {
  /** Ends the poll under way, then stops. */
  stop(): Promise<void>;
}

/** BMC reads at once: enough for a rack, few enough not to crowd a management network. */
const BMC_READS_AT_ONCE = 8;

const explain = (error: unknown): string =>
  error instanceof LazarusError
    ? error.message
    : `an unexpected error (${error instanceof Error ? error.message : String(error)})`;

async function readBmcs(fencing: FencingProvider, observations: HostObservation[]): Promise<void> {
  await mapWithConcurrency(observations, BMC_READS_AT_ONCE, async (observation) => {
    observation.bmc = await readBmcPower(fencing, observation.host);
  });
}

/** One look at every nova-compute host; throws only when Nova cannot be read at all. */
export async function observeHosts(
  nova: Pick<NovaProvider, 'client'>,
  fencing: FencingProvider,
  rules: DetectorRules,
): Promise<HostObservation[]> {
  const services = await (await nova.client()).listComputeServices();
  const observations = services.map((service): HostObservation => ({
    host: service.host,
    nova:
      service.status === 'UNKNOWN'
        ? { isKnown: false }
        : {
            isKnown: true,
            state: service.state,
            isDisabled: service.status === 'disabled',
            isForcedDown: service.isForcedDown,
            lastHeartbeat: service.updatedAt,
          },
  }));
  await readBmcs(
    fencing,
    observations.filter((observation) => needsBmc(rules, observation.nova)),
  );
  return observations;
}

export function startDetector(options: DetectorOptions): RunningDetector {
  const { rules, log } = options;
  const stopping = new AbortController();
  let tracks: ReadonlyMap<string, HostTrack> = new Map();
  let novaProblem: string | undefined;

  async function poll(): Promise<void> {
    // Taken before reading, so a slow poll cannot stretch how long the rules seem to have held.
    const observedAt = Date.now();
    let observations;
    try {
      observations = await observeHosts(options.nova, options.fencing, rules);
    } catch (error) {
      const why = explain(error);
      if (why !== novaProblem)
        log(`cannot read Nova's compute services (${why}); nothing is reported until Nova answers`);
      novaProblem = why;
      return;
    }
    if (novaProblem !== undefined) log('Nova answers again');
    novaProblem = undefined;
    const step = debounceFailures(
      tracks,
      new Map(
        observations.map((observation) => [observation.host, assessHost(observation, rules)]),
      ),
      observedAt,
      options.debounceMs,
    );
    tracks = step.tracks;
    step.notes.forEach(log);
    for (const { host, reason } of step.reports) {
      try {
        const receipt = await options.report({
          host,
          reporter: options.reporter,
          reason,
          reportedAt: new Date().toISOString(),
        });
        log(
          isSuppressed(receipt)
            ? `${host}: ${receipt.suppressed}`
            : `${host}: reported to ${receipt.workflowId}: ${reason}`,
        );
      } catch (error) {
        tracks = markUnreported(tracks, host);
        log(
          `${host}: the report could not reach Temporal (${error instanceof Error ? error.message : String(error)}); trying again at the next poll`,
        );
      }
    }
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      await poll();
      await sleep(options.pollMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
