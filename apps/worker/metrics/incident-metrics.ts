// Lazarus's own metrics, derived on the worker side from what Temporal knows about this deployment's
// incidents (visibility, each incident's state query or result, its evacuation children, the storm
// guard's state query), because the workflow code stays free of metrics. Every series describes the whole deployment (its task
// queue), so every worker reports the same: aggregate across workers with max, never sum.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MetricGauge, MetricMeter, MetricTags } from '@temporalio/common';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import type { StormGuardState } from '../../../contracts/storm-guard-messages.ts';
import { guardStateQuery, stormGuardWorkflowId } from '../../../contracts/storm-guard-messages.ts';
import { LazarusOutcome, LazarusPhase } from '../../../contracts/search-attributes.ts';
import { isRecoveryFinished } from '../../cli/commands/incident-tables.ts';
import {
  failedInstancesSeries,
  heldByStormGuardSeries,
  incidentAgeSeries,
} from './incident-series.ts';

/** Phases in which an incident waits for a person. */
const AWAITING_OPERATOR: ReadonlySet<string> = new Set([
  'FencingUnproven',
  'AwaitingApproval',
  'AwaitingReadmission',
]);

// Closed incidents older than this no longer count in lazarus_incidents.
const CLOSED_WINDOW_MS = 24 * 3600_000;

export interface IncidentMetricsOptions {
  client: Client;
  meter: MetricMeter;
  /** The deployment's task queue: only its incidents are counted. */
  taskQueue: string;
  intervalMs: number;
  /** Problems reading Temporal; the next round tries again. */
  warn: (message: string) => void;
}

/** What was already counted of one incident, so each fencing, evacuation and recovery counts once. */
interface Counted {
  isFencingCounted: boolean;
  instances: Set<string>;
  isRecoveryCounted: boolean;
}

const TERMINAL = new Set([
  'landed',
  'alreadyEvacuated',
  'failed',
  'notStarted',
  'skipped',
  'cancelled',
]);

/** A value of one of the gauges below, under its tags. */
interface GaugeValue {
  gauge: MetricGauge;
  tags: MetricTags;
  value: number;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const seconds = (from: string, to: string): number =>
  Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

export function startIncidentMetrics(options: IncidentMetricsOptions): { stop(): Promise<void> } {
  const { client, meter } = options;
  const incidents = meter.createGauge(
    'lazarus_incidents',
    'int',
    '',
    'incidents of this deployment by phase and outcome: open ones, and those closed within 24 h',
  );
  const awaiting = meter.createGauge(
    'lazarus_incidents_awaiting_operator',
    'int',
    '',
    'open incidents waiting for a person, by phase',
  );
  const oldestAwaiting = meter.createGauge(
    'lazarus_incidents_awaiting_operator_oldest_seconds',
    'float',
    's',
    'age of the oldest incident waiting for a person, by phase',
  );
  const evacuations = meter.createCounter(
    'lazarus_evacuations',
    '',
    'instances of failed hosts by final outcome (landed, alreadyEvacuated, failed, notStarted, skipped, cancelled)',
  );
  const age = meter.createGauge(
    'lazarus_incident_age_seconds',
    'float',
    's',
    'each open incident: seconds since it started, by host, phase and what it waits for',
  );
  const failedInstances = meter.createGauge(
    'lazarus_incident_failed_instances',
    'int',
    '',
    'each open incident with instances whose evacuation failed: how many, with the first one and its reason',
  );
  const held = meter.createGauge(
    'lazarus_storm_guard_held_seconds',
    'float',
    's',
    "each incident the storm guard holds: seconds since it was held, by host and the guard's reason",
  );
  const fencing = meter.createHistogram(
    'lazarus_fencing_duration_seconds',
    'float',
    's',
    "from the incident's admission (its start when admission is off) to the power-off read back from the BMC",
  );
  const reportToLanding = meter.createHistogram(
    'lazarus_report_to_last_landing_seconds',
    'float',
    's',
    'from the first report of a host to the verified landing of its last instance',
  );

  const counted = new Map<string, Counted>();
  const shownGauges = new Map<string, { gauge: MetricGauge; tags: MetricTags }>();
  // Incidents that ended before this worker started were counted by its predecessor, if at all.
  let isPrimed = false;

  function setGauges(values: GaugeValue[]): void {
    const shown = new Set<string>();
    for (const { gauge, tags, value } of values) {
      const key = `${gauge.name} ${JSON.stringify(tags)}`;
      gauge.set(value, tags);
      shownGauges.set(key, { gauge, tags });
      shown.add(key);
    }
    // A phase nobody is in any more reads 0, not its last value.
    for (const [key, { gauge, tags }] of shownGauges) {
      if (!shown.has(key)) gauge.set(0, tags);
    }
  }

  async function stateOf(execution: WorkflowExecutionInfo): Promise<IncidentState> {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    return execution.status.name === 'COMPLETED'
      ? ((await handle.result()) as IncidentState)
      : await handle.query(stateQuery);
  }

  /** When the last verified evacuation child of the incident closed. */
  async function lastLanding(state: IncidentState): Promise<string | undefined> {
    const closes = await Promise.all(
      state.instances
        .filter((row) => row.progress.outcome === 'landed')
        .map(async (row) => {
          const child = await client.workflow
            .getHandle(evacuationWorkflowId(state.incidentId, row.instanceId))
            .describe();
          return child.closeTime?.toISOString();
        }),
    );
    return closes
      .filter((close): close is string => close !== undefined)
      .sort()
      .at(-1);
  }

  /**
   * What the storm guard holds: nothing while the deployment has no guard yet, and what it held at
   * the last read when it cannot be read now, so that a slow answer does not resolve an alert.
   */
  let lastGuard: StormGuardState | undefined;
  async function guardState(): Promise<StormGuardState | undefined> {
    try {
      lastGuard = await client.workflow
        .getHandle(stormGuardWorkflowId(options.taskQueue))
        .query(guardStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) lastGuard = undefined;
      else options.warn(`metrics: cannot read the storm guard: ${messageOf(error)}`);
    }
    return lastGuard;
  }

  function seriesOf(state: IncidentState): GaugeValue[] {
    const failed = failedInstancesSeries(state);
    return [
      { gauge: age, ...incidentAgeSeries(state, new Date()) },
      ...(failed === undefined ? [] : [{ gauge: failedInstances, ...failed }]),
    ];
  }
  // Each open incident's own series at the last read, kept when its query is not answered now, so
  // that a slow answer does not resolve an alert.
  let lastSeries = new Map<string, GaugeValue[]>();

  async function count(key: string, state: IncidentState): Promise<void> {
    const seen = counted.get(key) ?? {
      isFencingCounted: false,
      instances: new Set<string>(),
      isRecoveryCounted: false,
    };
    counted.set(key, seen);
    const { proof } = state.fencing;
    if (!seen.isFencingCounted && proof !== undefined) {
      seen.isFencingCounted = true;
      if (isPrimed)
        fencing.record(
          seconds(state.admission?.admittedAt ?? state.incidentStartedAt, proof.readAt),
          { protocol: proof.protocol },
        );
    }
    for (const row of state.instances) {
      if (!TERMINAL.has(row.progress.outcome) || seen.instances.has(row.instanceId)) continue;
      seen.instances.add(row.instanceId);
      if (isPrimed) evacuations.add(1, { outcome: row.progress.outcome });
    }
    const [firstReport] = state.reports;
    if (!seen.isRecoveryCounted && isRecoveryFinished(state) && firstReport !== undefined) {
      seen.isRecoveryCounted = true;
      const landedAt = isPrimed ? await lastLanding(state) : undefined;
      if (landedAt !== undefined)
        reportToLanding.record(seconds(firstReport.firstReceivedAt, landedAt));
    }
  }

  async function collect(): Promise<void> {
    const since = new Date(Date.now() - CLOSED_WINDOW_MS).toISOString();
    const query = `WorkflowType = "incidentWorkflow" AND TaskQueue = "${options.taskQueue}" AND (ExecutionStatus = "Running" OR CloseTime > "${since}")`;
    const byPhase = new Map<string, number>();
    const waiting = new Map<string, { count: number; oldestSeconds: number }>();
    const perIncident = new Map<string, GaugeValue[]>();
    const work: Promise<void>[] = [];
    for await (const execution of client.workflow.list({ query })) {
      const phase = execution.typedSearchAttributes.get(LazarusPhase) ?? 'unknown';
      const outcome = execution.typedSearchAttributes.get(LazarusOutcome) ?? '';
      const phaseKey = JSON.stringify({ phase, outcome });
      byPhase.set(phaseKey, (byPhase.get(phaseKey) ?? 0) + 1);
      const isOpen = execution.status.name === 'RUNNING';
      if (isOpen && AWAITING_OPERATOR.has(phase)) {
        const entry = waiting.get(phase) ?? { count: 0, oldestSeconds: 0 };
        waiting.set(phase, {
          count: entry.count + 1,
          oldestSeconds: Math.max(
            entry.oldestSeconds,
            (Date.now() - execution.startTime.getTime()) / 1000,
          ),
        });
      }
      const key = `${execution.workflowId}/${execution.runId}`;
      if (isOpen || execution.status.name === 'COMPLETED') {
        work.push(
          stateOf(execution)
            .then(async (state) => {
              await count(key, state);
              if (isOpen) perIncident.set(key, seriesOf(state));
            })
            .catch((error: unknown) => {
              if (isOpen) perIncident.set(key, lastSeries.get(key) ?? []);
              options.warn(`metrics: cannot read ${execution.workflowId}: ${messageOf(error)}`);
            }),
        );
      }
    }
    await Promise.all(work);
    lastSeries = perIncident;
    const guard = await guardState();
    setGauges([
      ...[...byPhase].map(([tags, value]) => ({
        gauge: incidents,
        tags: JSON.parse(tags) as MetricTags,
        value,
      })),
      ...[...waiting].flatMap(([phase, entry]) => [
        { gauge: awaiting, tags: { phase }, value: entry.count },
        { gauge: oldestAwaiting, tags: { phase }, value: entry.oldestSeconds },
      ]),
      ...[...perIncident.values()].flat(),
      ...(guard === undefined ? [] : heldByStormGuardSeries(guard, new Date())).map((series) => ({
        gauge: held,
        ...series,
      })),
    ]);
    isPrimed = true;
  }

  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await collect().catch((error: unknown) => {
        options.warn(`metrics: cannot list incidents: ${messageOf(error)}`);
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        stopping.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
