// The health-check receiver over real HTTP, starting real incidents on the test run's dev server.
// No worker polls the task queue: what reached each incident is read from its history, as
// `temporal workflow show` would, so these tests depend on the intake only, not on the workflow code.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { LazarusHost } from '../../../../contracts/search-attributes.ts';
import {
  ALERTMANAGER_PATH,
  REPORTS_PATH,
  startIntakeServer,
  type IntakeServer,
} from '../../../../apps/receiver/intake-server.ts';
import { reportsInHistory } from '../../../support/incident-history.ts';
import { alertmanagerWebhook } from '../../../support/alertmanager-payloads.ts';

const { address, namespace } = inject('temporal');
const TOKEN = 'receiver-test-token-5d1f0c2a9b';
const CONSUL_TOKEN = 'receiver-test-consul-token-77e3a0';
/** The reporter is the name of the token a report came with (apps/receiver/bearer-token.ts). */
const TOKENS = [
  { reporter: 'alertmanager/lazarus', token: TOKEN },
  { reporter: 'consul', token: CONSUL_TOKEN },
];

// Hosts no other test file reports: incident/<host> is shared by every file on the dev server.
const HOSTS = {
  firing: 'intake-01',
  rack: ['intake-02', 'intake-03'],
  generic: 'intake-04',
  refused: 'intake-05',
} as const;

let connection: Connection;
let client: Client;
let receiver: IntakeServer;
const logLines: string[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
  receiver = await startIntakeServer({
    client,
    tokens: TOKENS,
    hostLabel: 'host',
    listen: { host: '127.0.0.1', port: 0 },
    incidents: { taskQueue: `intake-${process.pid}`, settings: { isAdmissionRequired: false } },
    log: (line) => {
      logLines.push(line);
    },
  });
});

afterAll(async () => {
  await receiver.close();
  for (const host of [HOSTS.firing, ...HOSTS.rack, HOSTS.generic, HOSTS.refused]) {
    await client.workflow
      .getHandle(incidentWorkflowId(host))
      .terminate('receiver test done')
      .catch(() => undefined);
  }
  await connection.close();
});

function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
) {
  return fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function hasIncident(host: string): Promise<boolean> {
  return client.workflow
    .getHandle(incidentWorkflowId(host))
    .describe()
    .then(
      () => true,
      () => false,
    );
}

describe('the health-check receiver', () => {
  it('answers a firing Alertmanager alert with 202 and the incident it started, which holds the report and is searchable by host', async () => {
    const response = await post(
      ALERTMANAGER_PATH,
      alertmanagerWebhook({ host: HOSTS.firing, status: 'firing' }),
    );
    expect(response.status).toBe(202);
    const { incidents, ignored } = (await response.json()) as {
      incidents: { host: string; workflowId: string; runId: string; incidentId: string }[];
      ignored: unknown[];
    };
    expect(ignored).toEqual([]);
    expect(incidents).toEqual([
      {
        host: HOSTS.firing,
        workflowId: `incident/${HOSTS.firing}`,
        runId: expect.any(String) as unknown,
        incidentId: `incident/${HOSTS.firing}/${incidents[0]?.runId ?? ''}`,
      },
    ]);

    const description = await client.workflow
      .getHandle(incidentWorkflowId(HOSTS.firing))
      .describe();
    expect(description).toMatchObject({
      type: 'incidentWorkflow',
      runId: incidents[0]?.runId,
      status: { name: 'RUNNING' },
    });
    expect(description.typedSearchAttributes.get(LazarusHost)).toBe(HOSTS.firing);
    expect(await reportsInHistory(client, HOSTS.firing)).toEqual([
      {
        reporter: 'alertmanager/lazarus',
        reportedAt: '2026-11-21T21:40:00.000Z',
        reason: `NodeDown firing: ${HOSTS.firing} has not answered node_exporter scrapes for 2 minutes`,
      },
    ]);
  });

  it('joins re-sent alerts to the same incident and signals a re-sent alert only once', async () => {
    const [first, second] = HOSTS.rack;
    const once = (await (
      await post(ALERTMANAGER_PATH, alertmanagerWebhook({ host: first, status: 'firing' }))
    ).json()) as { incidents: { runId: string }[] };
    // The group grows: Alertmanager sends the first alert again together with the new one.
    const again = await post(
      ALERTMANAGER_PATH,
      alertmanagerWebhook(
        { host: first, status: 'firing' },
        { host: second, status: 'firing', alertname: 'NodeDown' },
      ),
    );
    expect(again.status).toBe(202);
    const { incidents } = (await again.json()) as { incidents: { host: string; runId: string }[] };
    expect(incidents.map((incident) => incident.host)).toEqual([first, second]);
    expect(incidents[0]?.runId).toBe(once.incidents[0]?.runId);
    expect(await reportsInHistory(client, first)).toHaveLength(1);
    expect(await reportsInHistory(client, second)).toHaveLength(1);
  });

  it('starts nothing for a resolved alert and answers 200 with what it ignored and why', async () => {
    const response = await post(
      ALERTMANAGER_PATH,
      alertmanagerWebhook({ host: HOSTS.refused, status: 'resolved' }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      incidents: [],
      ignored: [
        {
          fingerprint: 'f0c9a3e1b2d40000',
          host: HOSTS.refused,
          status: 'resolved',
          because: expect.stringContaining('resolved alerts start nothing') as unknown,
        },
      ],
    });
    expect(await hasIncident(HOSTS.refused)).toBe(false);
  });

  it('refuses a malformed payload with 422 naming each problem, and starts nothing', async () => {
    const body = alertmanagerWebhook({ host: HOSTS.refused, status: 'firing' });
    const response = await post(ALERTMANAGER_PATH, { ...body, version: '3' });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: expect.stringMatching(
        /^the report is invalid, nothing was started:\nversion: must be "4"/,
      ) as unknown,
    });

    const notJson = await post(ALERTMANAGER_PATH, '{"version": "4", ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(
      /^the body is not valid JSON/,
    );
    expect(await hasIncident(HOSTS.refused)).toBe(false);
  });

  it('refuses a report without the right bearer token with 401, and starts nothing', async () => {
    const body = alertmanagerWebhook({ host: HOSTS.refused, status: 'firing' });
    for (const headers of [
      {},
      { authorization: 'Bearer not-the-token-at-all' },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const response = await post(ALERTMANAGER_PATH, body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="lazarus"');
      expect(((await response.json()) as { error: string }).error).toContain(
        'missing or wrong bearer token',
      );
    }
    expect(await hasIncident(HOSTS.refused)).toBe(false);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('takes a generic JSON report and answers 202 with its incident', async () => {
    const response = await post(
      REPORTS_PATH,
      { host: HOSTS.generic, reporter: 'consul', reason: 'serfHealth critical for 90 s' },
      { authorization: `Bearer ${CONSUL_TOKEN}` },
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      host: HOSTS.generic,
      workflowId: `incident/${HOSTS.generic}`,
    });
    expect(await reportsInHistory(client, HOSTS.generic)).toEqual([
      { reporter: 'consul', reason: 'serfHealth critical for 90 s' },
    ]);
  });

  it('answers 503 when Temporal cannot be reached, so that Alertmanager sends the report again', async () => {
    const unreachable = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1_000 });
    const cut = await startIntakeServer({
      client: new Client({ connection: unreachable, namespace }),
      tokens: TOKENS,
      hostLabel: 'host',
      listen: { host: '127.0.0.1', port: 0 },
      incidents: { taskQueue: `intake-${process.pid}` },
      reportDeadlineMs: 2_000,
    });
    try {
      const response = await fetch(`${cut.url}${REPORTS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ host: HOSTS.refused, reporter: 'consul' }),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /^the report could not reach Temporal \(.+\); nothing is lost by sending it again/,
      );
    } finally {
      await cut.close();
      await unreachable.close();
    }
  });

  it('says where to send reports when the path or method is wrong', async () => {
    const wrongPath = await post('/alerts', {});
    expect(wrongPath.status).toBe(404);
    expect(((await wrongPath.json()) as { error: string }).error).toContain(
      `send Alertmanager webhooks to ${ALERTMANAGER_PATH}`,
    );
    const wrongMethod = await fetch(`${receiver.url}${REPORTS_PATH}`);
    expect(wrongMethod.status).toBe(405);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
  });
});
