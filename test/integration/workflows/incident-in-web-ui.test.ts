// What an operator sees in the Temporal Web UI, in a real headless Chromium: the incident found by
// its LazarusHost search attribute, its summary and details, and the per-instance table as current
// details. A screenshot is kept in test-artifacts/ (not committed) for whoever reads the CI run.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCloud, type DemoCloud } from '../../../demo/demo-cloud.ts';
import { watchRecovery } from '../../../demo/recovery-display.ts';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { incidentWorkflowId } from '../../../contracts/incident-messages.ts';
import { chromiumExecutable } from '../../support/chromium.ts';
import { REPO_ROOT } from '../../support/repository.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const HOST = 'cmp-03';

describe('the incident in the Temporal Web UI', () => {
  let cloud: DemoCloud;
  let browser: Browser;
  let recovered: IncidentState;

  beforeAll(async () => {
    cloud = await startDemoCloud({
      hosts: 6,
      instancesPerHost: 3,
      ipmiHosts: 0,
      timeScale: 10,
      say: () => undefined,
    });
    cloud.sim.failHost(HOST, 'power-loss');
    await cloud.reportFailure(HOST);
    recovered = await watchRecovery(cloud.client.workflow.getHandle(incidentWorkflowId(HOST)), {
      isTty: false,
      write: () => undefined,
      timeoutMs: 90_000,
      signal: new AbortController().signal,
    });
    browser = await chromium.launch({ executablePath: chromiumExecutable(), headless: true });
  }, 180_000);

  afterAll(async () => {
    await browser.close();
    await cloud.stop();
  });

  it('finds the incident by LazarusHost and shows its summary, details and every instance landed', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    try {
      const query = encodeURIComponent(`LazarusHost = "${HOST}"`);
      await page.goto(
        `${cloud.temporal.uiUrl ?? ''}/namespaces/${cloud.temporal.namespace}/workflows?query=${query}`,
      );
      await page
        .getByRole('link', { name: incidentWorkflowId(HOST), exact: true })
        .first()
        .click();
      await page.getByText('User Metadata', { exact: true }).click();

      // The Web UI renders summary, details and current details as markdown, each in its own frame.
      const rendered = page.locator('iframe[title="output"]');
      await expect.poll(() => rendered.count(), { timeout: 20_000 }).toBe(3);
      const [summary, details, current] = [0, 1, 2].map((index) =>
        rendered.nth(index).contentFrame().locator('body'),
      );
      await expect
        .poll(() => summary?.innerText(), { timeout: 20_000 })
        .toBe(`incident of host ${HOST}`);
      expect(await details?.innerText()).toContain(
        `Host ${HOST} was reported failed by alertmanager/lazarus: NodeDown firing`,
      );
      const table = (await current?.innerText()) ?? '';
      expect(recovered.instances).toHaveLength(3);
      for (const row of recovered.instances) {
        expect(table).toMatch(
          new RegExp(`${row.instanceId}\\s+${row.name}\\s+landed\\s+on cmp-\\d+ after \\d+ s`),
        );
      }
    } finally {
      // Also on failure: what the page showed is the first thing to look at.
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'web-ui-incident.png'), fullPage: true });
    }
  });
});
