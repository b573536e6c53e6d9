// The health-check receiver: an HTTP server that turns authenticated reports into signal-with-start
// on each host's incident and answers 202 with the incident. Bad input is refused with a 4xx that
// says what to fix, before anything is started; Temporal being unreachable is a 503, which
// Alertmanager retries (reports already sent join their incident again, harmlessly).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { errorLine, readJsonBody, RequestRefused, sendJson } from '../http/json-exchange.ts';
import type { ListenAddress, ListeningServer } from '../http/listen.ts';
import { listenOn } from '../http/listen.ts';
import type { ReporterToken } from './bearer-token.ts';
import { reporterOf } from './bearer-token.ts';
import type { HostFailureReport, IgnoredAlert, ParsedReports } from './host-reports.ts';
import { parseAlertmanagerWebhook, parseGenericReport } from './host-reports.ts';
import { RecentReports } from './recent-reports.ts';
import type {
  IncidentReceipt,
  IncidentStartOptions,
  SuppressedReport,
} from '../../client/send-host-report.ts';
import {
  endSuppressionOnResolve,
  isSuppressed,
  sendHostReport,
} from '../../client/send-host-report.ts';

export const ALERTMANAGER_PATH = '/v1/alertmanager';
export const REPORTS_PATH = '/v1/reports';

// An Alertmanager group of a whole rack is a few hundred kilobytes at most.
const MAX_BODY_BYTES = 1024 * 1024;

export interface IntakeOptions {
  client: Client;
  incidents: IncidentStartOptions;
  /** One bearer token per health checker, named: the name is the reporter recorded. Never logged. */
  tokens: readonly ReporterToken[];
  /** The Alertmanager label that holds the Nova host name. */
  hostLabel: string;
  /** host:port to listen on; port 0 picks a free one. */
  listen: ListenAddress;
  /** How long a report may take to reach Temporal before the answer is 503 (default 10 s, under Alertmanager's own timeouts). */
  reportDeadlineMs?: number;
  /** One line per request answered (method, path, status, what happened); no header or token. */
  log?: (line: string) => void;
}

export type IntakeServer = ListeningServer;

const ROUTES: Readonly<Record<string, (body: unknown, hostLabel: string) => ParsedReports>> = {
  [ALERTMANAGER_PATH]: parseAlertmanagerWebhook,
  [REPORTS_PATH]: parseGenericReport,
};

export async function startIntakeServer(options: IntakeOptions): Promise<IntakeServer> {
  const recent = new RecentReports();
  const log = options.log ?? ((): void => undefined);

  async function send(
    report: HostFailureReport,
    dedupeKey: string | undefined,
  ): Promise<IncidentReceipt | SuppressedReport> {
    const known = dedupeKey === undefined ? undefined : recent.get(dedupeKey);
    if (known !== undefined) return known;
    const receipt = await withinDeadline(() =>
      sendHostReport(options.client, report, options.incidents),
    );
    if (dedupeKey !== undefined && !isSuppressed(receipt)) recent.remember(dedupeKey, receipt);
    return receipt;
  }
  const withinDeadline = <T>(call: () => Promise<T>): Promise<T> =>
    options.client.withDeadline(Date.now() + (options.reportDeadlineMs ?? 10_000), call);

  /** A resolved alert ends its host's suppression after an operator's abort, and says so. */
  async function resolve(ignored: IgnoredAlert, reporter: string): Promise<IgnoredAlert> {
    const { host } = ignored;
    if (host === undefined) return ignored;
    const hasEnded = await withinDeadline(() =>
      endSuppressionOnResolve(options.client, { host, reporter }, options.incidents),
    );
    return hasEnded
      ? {
          ...ignored,
          because: `${ignored.because}; it ended the suppression of ${host}'s reports after an operator's abort`,
        }
      : ignored;
  }

  async function handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    if (path === '/healthz' && request.method === 'GET')
      return { status: 200, body: { status: 'ok' } };
    const parse = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    if (parse === undefined)
      throw new RequestRefused(
        404,
        `no such endpoint ${path}; send Alertmanager webhooks to ${ALERTMANAGER_PATH} and other reports to ${REPORTS_PATH}`,
      );
    if (request.method !== 'POST')
      throw new RequestRefused(405, `${path} takes POST only`, { allow: 'POST' });
    const reporter = reporterOf(request.headers.authorization, options.tokens);
    if (reporter === undefined) {
      throw new RequestRefused(
        401,
        'missing or wrong bearer token; send "Authorization: Bearer <token>" with the token the receiver was given',
        { 'www-authenticate': 'Bearer realm="lazarus"' },
      );
    }
    const parsed = parse(await readJson(request), options.hostLabel);
    if (!parsed.isValid)
      throw new RequestRefused(
        422,
        `the report is invalid, nothing was started:\n${parsed.problems.join('\n')}`,
      );
    const incidents: IncidentReceipt[] = [];
    const suppressed: SuppressedReport[] = [];
    for (const report of parsed.reports.map((parsedReport) => asSentBy(parsedReport, reporter))) {
      // Alertmanager re-sends a whole group whenever one of its alerts changes; same alert, same report.
      const key =
        path === ALERTMANAGER_PATH && report.reportedAt !== undefined
          ? `${report.host} ${report.reporter} ${report.reason ?? ''} ${report.reportedAt}`
          : undefined;
      const answer = await send(report, key);
      if (isSuppressed(answer)) suppressed.push(answer);
      else incidents.push(answer);
    }
    const ignored: IgnoredAlert[] = [];
    for (const alert of parsed.ignored) ignored.push(await resolve(alert, reporter));
    // I10: a suppressed report is answered 200 with why, so Alertmanager does not resend it at once.
    const body =
      path === REPORTS_PATH
        ? (incidents[0] ?? suppressed[0])
        : { incidents, ignored, ...(suppressed.length === 0 ? {} : { suppressed }) };
    return { status: incidents.length === 0 ? 200 : 202, body };
  }

  function answer(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    sendJson(response, status, body, headers);
    log(
      `${request.method ?? '?'} ${request.url ?? '?'} ${status}${status >= 400 ? ` ${errorLine(body)}` : ''}`,
    );
  }

  const server = createServer((request, response) => {
    handle(request).then(
      ({ status, body }) => {
        answer(request, response, status, body);
      },
      (error: unknown) => {
        if (error instanceof RequestRefused) {
          answer(request, response, error.status, { error: error.message }, error.headers);
          return;
        }
        const why = error instanceof Error ? error.message : String(error);
        answer(request, response, 503, {
          error: `the report could not reach Temporal (${why}); nothing is lost by sending it again, which Alertmanager does by itself`,
        });
      },
    );
  });
  return listenOn(server, options.listen);
}

/**
 * The reporter is who the token says; a payload that names another keeps it as a detail of the
 * reason, so nobody can count as two reporters by changing a field.
 */
function asSentBy(report: HostFailureReport, reporter: string): HostFailureReport {
  if (report.reporter === reporter) return report;
  const detail = `(sent as ${report.reporter})`;
  return {
    ...report,
    reporter,
    reason: report.reason === undefined ? detail : `${report.reason} ${detail}`,
  };
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return readJsonBody(
    request,
    MAX_BODY_BYTES,
    'send fewer alerts per webhook (Alertmanager: max_alerts)',
  );
}
