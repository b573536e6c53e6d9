// Carries out one planned action against the run's real parts: the simulator (failures, API and
// BMC faults, a human's evacuation), the Temporal server and the worker processes (SIGKILL), and
// the incidents (reports, cancel, reset).
import { setTimeout as sleep } from 'node:timers/promises';
import type { NovaProvider } from '../activities/incident/index.ts';
import type { FaultRule } from '../simulator/http/faults.ts';
import type { Simulator } from '../simulator/simulator.ts';
import type { SeededRandom } from '../simulator/random.ts';
import type { FailureMode } from '../simulator/world/model.ts';
import { pollUntil } from '../lib/poll-until.ts';
import type { IncidentDesk } from './incident-desk.ts';
import type { ChaosAction, FaultKind } from './schedule.ts';
import type { ChaosTemporalServer } from './temporal-server.ts';
import type { Timeline } from './timeline.ts';
import type {
  AbortedIncident,
  AnsweredReport,
  FailedHost,
  SomeoneElsesEvacuation,
} from './verdict.ts';
import type { WorkerFleet } from './worker-fleet.ts';

export interface RunParts {
  sim: Simulator;
  server: ChaosTemporalServer;
  fleet: WorkerFleet;
  desk: IncidentDesk;
  /** A human's own Nova client, for evacuating by hand. */
  humanNova: NovaProvider;
  timeline: Timeline;
  random: SeededRandom;
}

/** What the run did, for the verdict and the summary. */
export interface RunRecord {
  failedHosts: FailedHost[];
  someoneElse: SomeoneElsesEvacuation[];
  faults: Partial<Record<FaultKind, number>>;
  serverKills: number;
  /** A server restart under way; the harness waits for it before judging. */
  serverRestart?: Promise<void>;
  /** BMC faults still to be cleared, so the harness can clear them all when healing. */
  bmcFaultClears: Set<NodeJS.Timeout>;
  /** Faults that outlast the chaos window (a long Nova outage): healing puts them back until they end. */
  lingeringFaults: { rule: FaultRule; untilMs: number }[];
  /** Incidents an operator aborted, and every report with its answer, for I10. */
  aborts: AbortedIncident[];
  reports: AnsweredReport[];
}

const IN_FLIGHT = new Set(['pre-migrating']);
/** An incident in these phases may still come to await re-admission. */
const IN_PROGRESS_PHASES: ReadonlySet<string> = new Set([
  'Corroborating',
  'Admitting',
  'Fencing',
  'ForcingDown',
  'Selecting',
  'Evacuating',
]);

export async function perform(
  action: ChaosAction,
  parts: RunParts,
  record: RunRecord,
): Promise<void> {
  const { sim, timeline } = parts;
  const count = (fault: FaultKind): void => {
    record.faults[fault] = (record.faults[fault] ?? 0) + 1;
  };
  switch (action.kind) {
    case 'fail-host':
      await failAndReport(action.host, action.mode, parts, record);
      return;
    case 'kill-worker':
      if (!(await parts.fleet.killOne(action.restartAfterMs)))
        timeline.note('no worker polled within 45 s to be killed');
      return;
    case 'start-competing-worker':
      await parts.fleet.start();
      return;
    case 'kill-server':
      await killServer(action.restartAfterMs, parts, record);
      return;
    case 'api-fault':
      sim.addFault(action.rule);
      count(action.fault);
      timeline.note(`fault ${action.fault}: ${JSON.stringify(action.rule)}`);
      return;
    case 'token-expiry':
      sim.expireTokens();
      count(action.fault);
      timeline.note('every Keystone token expired');
      return;
    case 'bmc-fault': {
      sim.setBmcFaults(action.host, action.faults);
      count(action.fault);
      timeline.note(
        `BMC of ${action.host}: ${action.fault} ${JSON.stringify(action.faults)} for ${action.clearAfterMs} ms`,
      );
      const timer = setTimeout(() => {
        record.bmcFaultClears.delete(timer);
        sim.setBmcFaults(action.host, {});
        timeline.note(`BMC of ${action.host} healthy again`);
      }, action.clearAfterMs);
      record.bmcFaultClears.add(timer);
      return;
    }
    case 'cascade':
      await cascade(action.mode, parts, record, () => {
        count(action.fault);
      });
      return;
    case 'someone-else-evacuates':
      await evacuateByHand(action.host, parts, record, () => {
        count(action.fault);
      });
      return;
    case 'report-again':
      count(action.fault);
      await report(action.host, 'another health checker agrees', parts, record);
      return;
    case 'cancel-incident':
      count(action.fault);
      await parts.desk.cancel(action.host);
      return;
    case 'reset-incident':
      count(action.fault);
      await parts.desk.reset(action.host);
      return;
    case 'readmit':
      await readmit(action.host, parts, () => {
        count(action.fault);
      });
      return;
    case 'interrupt-evacuation': {
      const interrupted = await parts.desk.interruptOneEvacuation(
        action.fault === 'evacuation-terminate' ? 'terminate' : 'cancel',
      );
      if (interrupted) count(action.fault);
      return;
    }
    case 'nova-outage':
      sim.addFault(action.rule);
      record.lingeringFaults.push({ rule: action.rule, untilMs: Date.now() + action.lastsMs });
      count(action.fault);
      timeline.note(
        `fault ${action.fault}: Nova answers 503 to everything for ${action.lastsMs} ms`,
      );
      return;
    case 'terminate-and-report-again':
      if (!(await parts.desk.terminate(action.host))) return;
      count(action.fault);
      await sleep(1_000);
      await report(
        action.host,
        'the alert fires again after the incident was terminated',
        parts,
        record,
      );
      return;
    case 'rotate-password':
      count(action.fault);
      sim.rotatePassword();
      timeline.note(
        `Keystone password rotated: 401 until clouds.yaml is updated in ${action.fileUpdatedAfterMs} ms`,
      );
      await sleep(action.fileUpdatedAfterMs);
      await sim.writeCloudsYaml();
      timeline.note('clouds.yaml updated with the new password');
      for (const { host } of record.failedHosts) await parts.desk.retryNow(host);
      return;
    case 'abort-and-report-again': {
      const runId = await parts.desk.abort(action.host);
      if (runId === undefined) return;
      count(action.fault);
      record.aborts.push({
        host: action.host,
        runId,
        afterSeq: sim.ledger().length,
        at: Date.now(),
      });
      for (const afterMs of action.repeatsAfterMs) {
        await sleep(afterMs);
        await report(action.host, 'Alertmanager repeats the firing alert', parts, record);
      }
      return;
    }
  }
}

async function report(
  host: string,
  reason: string,
  parts: RunParts,
  record: RunRecord,
): Promise<void> {
  const sentAt = Date.now();
  record.reports.push({ host, sentAt, ...(await parts.desk.report(host, reason)) });
}

async function failAndReport(
  host: string,
  mode: FailureMode,
  parts: RunParts,
  record: RunRecord,
): Promise<void> {
  const instances = parts.sim
    .state()
    .instances.filter((instance) => instance.host === host)
    .map((instance) => instance.uuid);
  parts.sim.failHost(host, mode);
  record.failedHosts.push({ host, instances });
  parts.timeline.note(`${host} fails (${mode}) with ${instances.length} instances`);
  await report(host, mode, parts, record);
}

async function killServer(
  restartAfterMs: number,
  parts: RunParts,
  record: RunRecord,
): Promise<void> {
  await record.serverRestart;
  if (!parts.server.isUp) return;
  await parts.server.kill();
  record.serverKills += 1;
  parts.timeline.note(
    `SIGKILL the Temporal server; restart on the same SQLite file in ${restartAfterMs} ms`,
  );
  record.serverRestart = new Promise((resolve) => setTimeout(resolve, restartAfterMs))
    .then(() => parts.server.restart())
    .then(() => {
      parts.timeline.note('Temporal server up again');
    });
}

/** The destination of an evacuation in flight from a failed host fails too, and is reported. */
async function cascade(
  mode: FailureMode,
  parts: RunParts,
  record: RunRecord,
  counted: () => void,
): Promise<void> {
  const failed = (): Set<string> => new Set(record.failedHosts.map((h) => h.host));
  const destination = await pollUntil(
    'an evacuation in flight',
    () =>
      parts.sim
        .state()
        .migrations.find(
          (m) =>
            IN_FLIGHT.has(m.status) &&
            failed().has(m.source) &&
            m.dest !== null &&
            !failed().has(m.dest),
        )?.dest ?? undefined,
    { timeoutMs: 120_000, intervalMs: 50 },
  ).catch(() => undefined);
  if (destination === undefined) {
    parts.timeline.note('no evacuation in flight to cascade into');
    return;
  }
  counted();
  parts.timeline.note(
    `cascade: ${destination}, the destination of an evacuation in flight, fails too`,
  );
  await failAndReport(destination, mode, parts, record);
}

/**
 * Once the host is off, Nova would accept an evacuate and Lazarus's first evacuation has landed, a
 * human evacuates one of its running instances that nobody evacuated yet; when Lazarus reaches that
 * instance while the rebuild is still in flight, only its pre-check stops a second evacuate.
 */
async function evacuateByHand(
  host: string,
  parts: RunParts,
  record: RunRecord,
  counted: () => void,
): Promise<void> {
  const isOffAndDown = await pollUntil(
    `${host} off and down`,
    () => {
      const source = parts.sim.state().hosts.find((h) => h.name === host);
      return source?.power === 'Off' &&
        (source.service.state === 'down' || source.service.forcedDown)
        ? true
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 5 },
  ).catch(() => false);
  // Mid-evacuation is when a human's evacuation races Lazarus's: once the first of Lazarus's lands,
  // the ones waiting for a slot come next, while the human's rebuild is still in flight.
  await pollUntil(
    `an evacuation from ${host} to land`,
    () =>
      parts.sim.state().migrations.some((m) => m.source === host && m.status === 'done')
        ? true
        : undefined,
    { timeoutMs: 60_000, intervalMs: 5 },
  ).catch(() => false);
  const state = parts.sim.state();
  const untouched = state.instances.filter(
    (i) =>
      i.host === host &&
      !state.migrations.some((m) => m.instanceUuid === i.uuid && m.source === host),
  );
  const running = untouched.filter((i) => i.vmState === 'active');
  const pool = running.length > 0 ? running : untouched;
  const candidate = pool[parts.random.below(pool.length)];
  if (!isOffAndDown || candidate === undefined) {
    parts.timeline.note(
      isOffAndDown
        ? `every instance of ${host} had an evacuation before a human could take one`
        : `${host} was not off and down within 120 s: no human evacuation`,
    );
    return;
  }
  counted();
  const afterSeq = parts.sim.ledger().length;
  const answer = await (
    await parts.humanNova.client()
  )
    .evacuate(candidate.uuid)
    .catch((error: unknown) => ({
      outcome: 'refused' as const,
      reason: error instanceof Error ? error.message : String(error),
    }));
  const requestId = answer.outcome === 'accepted' ? answer.requestId : null;
  record.someoneElse.push({
    instance: candidate.uuid,
    requestId,
    afterSeq,
    untilSeq: parts.sim.ledger().length,
  });
  parts.timeline.note(
    `someone else evacuates ${candidate.uuid} from ${host} by hand: ${answer.outcome === 'accepted' ? `accepted, ${requestId ?? 'no request id'}` : 'reason' in answer ? answer.reason : answer.outcome}`,
  );
}

/** A repaired host (powered on, nova-compute back) re-admitted by an operator, once its incident waits for that. */
async function readmit(host: string, parts: RunParts, counted: () => void): Promise<void> {
  const phase = await pollUntil(
    `incident/${host} to await re-admission`,
    async () => {
      const current = await parts.desk.phaseOf(host);
      return current === 'AwaitingReadmission' ||
        current === undefined ||
        !IN_PROGRESS_PHASES.has(current)
        ? (current ?? 'gone')
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch(() => 'still busy after 90 s');
  if (phase !== 'AwaitingReadmission') {
    parts.timeline.note(`no re-admission of ${host}: its incident is ${phase}`);
    return;
  }
  counted();
  parts.sim.setPower(host, 'On');
  parts.timeline.note(`${host} repaired: powered on, nova-compute starts`);
  await parts.desk.readmit(host);
}
