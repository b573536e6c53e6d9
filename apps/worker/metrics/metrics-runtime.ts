// The worker's Prometheus endpoint: the SDK's own exporter (Temporal Core's), which serves the SDK's
// metrics and the ones Lazarus records through the same meter. It must be installed before the
// Runtime is first used, i.e. before any connection or log line.
import type { ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { startIncidentMetrics } from './incident-metrics.ts';

/** How often the incident metrics are derived from Temporal again. */
const COLLECT_INTERVAL_MS = 15_000;

/** Seconds: from a fast Redfish power-off to an incident that waited on an operator for hours. */
const SECONDS_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600];

export const LAZARUS_HISTOGRAMS = [
  'lazarus_fencing_duration_seconds',
  'lazarus_report_to_last_landing_seconds',
] as const;

export function installMetricsRuntime(bindAddress: string): void {
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress,
          histogramBucketOverrides: Object.fromEntries(
            LAZARUS_HISTOGRAMS.map((name) => [name, SECONDS_BUCKETS]),
          ),
        },
      },
    },
  });
}

/** Lazarus's incident metrics for this deployment, on the endpoint installMetricsRuntime opened. */
export async function startDeploymentMetrics(options: {
  connectionOptions: ConnectionOptions;
  namespace: string;
  taskQueue: string;
  intervalMs?: number;
  /** The deployment's: incidents' query answers are encrypted when its payloads are. */
  dataConverter?: DataConverter;
}): Promise<{ stop(): Promise<void> }> {
  const connection = await Connection.connect(options.connectionOptions);
  const { logger, metricMeter } = Runtime.instance();
  const collector = startIncidentMetrics({
    client: new Client({
      connection,
      namespace: options.namespace,
      ...(options.dataConverter === undefined ? {} : { dataConverter: options.dataConverter }),
    }),
    meter: metricMeter,
    taskQueue: options.taskQueue,
    intervalMs: options.intervalMs ?? COLLECT_INTERVAL_MS,
    warn: (message) => {
      logger.warn(message);
    },
  });
  return {
    async stop() {
      await collector.stop();
      await connection.close();
    },
  };
}
