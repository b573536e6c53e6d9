// What an operator sees in the Temporal Web UI when payloads are encrypted, in a real headless
// Chromium: a dev server whose Web UI uses `lazarus codec-server` as its codec endpoint shows the
// incident's input, summaries and report in plaintext, although Temporal stores them encrypted.
// Screenshots are kept in test-artifacts/ (not committed) for whoever reads the CI run.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLazarusWorker } from '../../../apps/worker/create-worker.ts';
import { dataConverterOf } from '../../../client/payload-encryption/data-converter.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { incidentWorkflowId, stateQuery } from '../../../contracts/incident-messages.ts';
import { reportHostFailure } from '../../../contracts/incident-start.ts';
import { findFreePort } from '../../../infra/process/free-port.ts';
import { startDevServer, type DevServer } from '../../../infra/temporal/dev-server.ts';
import { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import type { CodecServerProcess } from '../../support/payload-encryption.ts';
import {
  bytesOf,
  startCodecServerProcess,
  storedHistory,
  writeEncryptionConfig,
} from '../../support/payload-encryption.ts';
import { chromiumExecutable } from '../../support/chromium.ts';
import { REPO_ROOT } from '../../support/repository.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
// This file's own dev server: no other test file's incidents share it.
const HOST = 'cmp-02';
const REPORT = {
  host: HOST,
  reporter: 'zabbix-dc3',
  reason: 'ICMP ping of cmp-02 lost from 3 probes',
};
const UI_PORT_OFFSET = 1000;

const cloud = useIncidentCloud({ hosts: 3, instancesPerHost: 2 });

describe('encrypted payloads in the Temporal Web UI', () => {
  let directory: string;
  let codecServer: CodecServerProcess | undefined;
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  let runId: string;
  let instances: { id: string; name: string }[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-web-ui-codec-'));
    const setup = await writeEncryptionConfig(directory, 'lazarus', {
      activeKey: 'ui-2026',
      keyIds: ['ui-2026'],
    });
    // The Web UI's origin must be known to the codec server, and the codec server's URL to the UI.
    const port = await findFreePort([UI_PORT_OFFSET]);
    codecServer = await startCodecServerProcess([
      '--config',
      setup.config,
      '--allow-origin',
      `http://127.0.0.1:${port + UI_PORT_OFFSET}`,
    ]);
    server = await startDevServer({
      port,
      ui: true,
      uiCodecEndpoint: codecServer.url,
      logFile: join(directory, 'temporal.log'),
    });

    const dataConverter = await dataConverterOf(await loadConfig({ path: setup.config, env: {} }));
    const connection = await Connection.connect({ address: server.address });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace, dataConverter });
      const worker = await createLazarusWorker({
        connection: workerConnection,
        namespace: server.namespace,
        taskQueue: 'lazarus',
        dependencies: cloud().dependencies,
        dataConverter,
      });
      cloud().sim.failHost(HOST, 'power-loss');
      const recovered = async (): Promise<void> => {
        await client.workflow.signalWithStart(incidentWorkflow, {
          taskQueue: 'lazarus',
          ...reportHostFailure(REPORT, { policy: EVERY_INSTANCE_POLICY }),
        });
        const handle = client.workflow.getHandle(incidentWorkflowId(HOST));
        await evacuationsEnded(handle);
        runId = (await handle.describe()).runId;
        instances = (await handle.query(stateQuery)).instances.map(({ instanceId, name }) => ({
          id: instanceId,
          name,
        }));
      };
      await worker.runUntil(recovered());
      // The premise: what the server holds is not readable.
      expect(
        bytesOf(await storedHistory(client, incidentWorkflowId(HOST))).includes(REPORT.reason),
      ).toBe(false);
    } finally {
      await workerConnection.close();
      await connection.close();
    }
    browser = await chromium.launch({ executablePath: chromiumExecutable(), headless: true });
  }, 180_000);

  afterAll(async () => {
    codecServer?.child.kill('SIGTERM');
    await server?.stop();
    await browser?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("shows the incident's input, its summaries and its report in plaintext, decoded by lazarus codec-server", async () => {
    if (browser === undefined || server === undefined) throw new Error('the Web UI did not start');
    await mkdir(ARTIFACTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    try {
      await page.goto(
        `${server.uiUrl ?? ''}/namespaces/${server.namespace}/workflows/${encodeURIComponent(incidentWorkflowId(HOST))}/${runId}/history`,
      );
      // The input card (IncidentInput) and the evacuations' summaries, each naming an instance:
      // Temporal holds all of them encrypted, the operator's browser decodes them. The incident's own
      // summary is read from its User Metadata below: on this page it is only in the row of event 1,
      // which the event table pages out of sight once the history is longer than a page.
      const expected = [
        '"protect": "all"',
        `"host": "${HOST}"`,
        ...instances.map((instance) => `evacuate ${instance.name} (${instance.id}) from ${HOST}`),
      ];
      const body = page.locator('body');
      await expect
        .poll(
          async () => {
            const shown = await body.innerText();
            return expected.filter((text) => !shown.includes(text));
          },
          // The Web UI's first render is slow when the suite's other files load the machine.
          { timeout: 60_000 },
        )
        .toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'web-ui-encrypted-input.png') });
      // The incident's summary, and the report's reason in its details.
      await page.getByText('User Metadata', { exact: true }).click();
      const rendered = page.locator('iframe[title="output"]');
      await expect.poll(() => rendered.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      const [summary, details] = [0, 1].map((index) =>
        rendered.nth(index).contentFrame().locator('body'),
      );
      await expect
        .poll(() => summary?.innerText(), { timeout: 20_000 })
        .toBe(`incident of host ${HOST}`);
      await expect
        .poll(() => details?.innerText(), { timeout: 20_000 })
        .toContain(`reported failed by ${REPORT.reporter}: ${REPORT.reason}`);
      await expect
        .poll(() => codecServer?.output())
        .toMatch(/POST \/decode 200 \d+ payloads? of namespace default/);
    } finally {
      await page.screenshot({
        path: join(ARTIFACTS, 'web-ui-encrypted-incident.png'),
        fullPage: true,
      });
    }
  }, 120_000);
});
