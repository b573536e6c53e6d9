// What the receiver accepts, validated at the edge with zod and turned into host reports: the
// Prometheus Alertmanager webhook (version 4) and a small generic JSON report for any other health
// checker. Pure, so every payload kind is unit-tested; nothing here talks to Temporal.
import { z } from 'zod';
import type { HostReport } from '../../contracts/incident-messages.ts';
import { fieldPath } from '../../lib/field-path.ts';

export type HostFailureReport = HostReport & { host: string };

/** An alert the receiver did not act on, and why, so the sender's operator can tell. */
export interface IgnoredAlert {
  fingerprint?: string;
  /** The host of a resolved alert: its resolution ends a suppression after an operator's abort. */
  host?: string;
  status: string;
  because: string;
}

export type ParsedReports =
  | { isValid: true; reports: HostFailureReport[]; ignored: IgnoredAlert[] }
  | { isValid: false; problems: string[] };

/** The label every rule of infra/monitoring/lazarus-alerts.yaml carries. */
export const LAZARUS_ALERT_ORIGIN = 'lazarus';

// Nova host names: what `openstack compute service list` shows. The incident's workflow ID embeds it.
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const hostName = z.string({ error: 'must be a host name' }).regex(HOST_NAME, {
  error: 'must be a host name as Nova shows it (letters, digits, ".", "_", "-")',
});
const text = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'is empty' })
  .max(1_000, { error: 'is longer than 1000 characters' });
const timestamp = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 time, e.g. 2026-11-21T21:53:52Z',
});
const labels = z.record(z.string(), z.string(), { error: 'must be an object of text values' });

// Alertmanager adds fields over time; only what Lazarus uses is checked, the rest is let through.
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
  labels,
  annotations: labels.optional(),
  startsAt: timestamp.optional(),
  fingerprint: z.string().optional(),
});

const alertmanagerSchema = z.looseObject({
  version: z.literal('4', {
    error: 'must be "4": Lazarus speaks the Alertmanager webhook payload version 4',
  }),
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
  receiver: z.string({ error: 'must be text' }),
  alerts: z
    .array(alertSchema, { error: 'must be a list of alerts' })
    .min(1, { error: 'is empty; there is nothing to report' }),
});

const genericReportSchema = z.strictObject({
  host: hostName,
  reporter: text,
  reason: text.optional(),
  reportedAt: timestamp.optional(),
});

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = fieldPath(issue.path);
    const message =
      issue.code === 'unrecognized_keys'
        ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : issue.message;
    return `${path === '' ? '(body)' : path}: ${message}`;
  });
}

/** A generic report: `{"host": "cmp-07", "reporter": "consul", "reason": "…", "reportedAt": "…"}`. */
export function parseGenericReport(body: unknown): ParsedReports {
  const parsed = genericReportSchema.safeParse(body);
  if (!parsed.success) return { isValid: false, problems: problemsOf(parsed.error) };
  const { host, reporter, reason, reportedAt } = parsed.data;
  return {
    isValid: true,
    reports: [
      {
        host,
        reporter,
        ...(reason === undefined ? {} : { reason }),
        ...(reportedAt === undefined ? {} : { reportedAt }),
      },
    ],
    ignored: [],
  };
}

/**
 * Every firing alert becomes a report of the host named by its `hostLabel` label; resolved alerts
 * start nothing (a host that answers again is re-admitted by an operator, not by an alert). A firing
 * alert without a usable host label makes the whole payload invalid, so nothing starts from it.
 */
export function parseAlertmanagerWebhook(body: unknown, hostLabel: string): ParsedReports {
  const parsed = alertmanagerSchema.safeParse(body);
  if (!parsed.success) return { isValid: false, problems: problemsOf(parsed.error) };
  const { receiver, alerts } = parsed.data;
  const reports: HostFailureReport[] = [];
  const ignored: IgnoredAlert[] = [];
  const problems: string[] = [];
  alerts.forEach((alert, index) => {
    const fingerprint = alert.fingerprint === undefined ? {} : { fingerprint: alert.fingerprint };
    if (alert.status === 'resolved') {
      const resolvedHost = alert.labels[hostLabel];
      ignored.push({
        ...fingerprint,
        ...(resolvedHost !== undefined && HOST_NAME.test(resolvedHost)
          ? { host: resolvedHost }
          : {}),
        status: alert.status,
        because:
          'resolved alerts start nothing; re-admit a repaired host with: lazarus readmit HOST',
      });
      return;
    }
    const host = alert.labels[hostLabel];
    // Lazarus's own alerts name the host of an incident that is under way or just ended: taken as a
    // report, one routed here by mistake would fence a repaired host again.
    if (alert.labels.origin === LAZARUS_ALERT_ORIGIN) {
      ignored.push({
        ...fingerprint,
        ...(host !== undefined && HOST_NAME.test(host) ? { host } : {}),
        status: alert.status,
        because: `${alert.labels.alertname ?? 'this alert'} is one of Lazarus's own alerts (label origin="${LAZARUS_ALERT_ORIGIN}"), about an incident, not a failure: it starts nothing; route it to people (infra/monitoring/README.md)`,
      });
      return;
    }
    if (host === undefined || !HOST_NAME.test(host)) {
      problems.push(
        `alerts[${index}].labels.${hostLabel}: ${host === undefined ? 'is missing' : `"${host}" is not a host name as Nova shows it`}; ` +
          `label the alert with the Nova host name in "${hostLabel}", or set the receiver's host label to the label that has it`,
      );
      return;
    }
    const name = alert.labels.alertname ?? 'alert';
    const summary = alert.annotations?.summary ?? alert.annotations?.description;
    reports.push({
      host,
      reporter: `alertmanager/${receiver}`,
      reason: `${name} firing${summary === undefined ? '' : `: ${summary}`}`,
      ...(alert.startsAt === undefined ? {} : { reportedAt: alert.startsAt }),
    });
  });
  return problems.length === 0 ? { isValid: true, reports, ignored } : { isValid: false, problems };
}
