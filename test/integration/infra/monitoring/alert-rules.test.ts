// The alerting rules of infra/monitoring/: Prometheus's own verdict (promtool check rules), their
// unit tests (promtool test rules: which alert fires when, with which labels and annotations), and
// that no alert goes untested or without what an operator needs to act on it.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LAZARUS_ALERT_ORIGIN } from '../../../../apps/receiver/host-reports.ts';
import { ALERT_RULES, ALERT_TESTS, MONITORING_DIR } from '../../../support/monitoring-files.ts';

const run = promisify(execFile);

async function promtool(
  args: string[],
  cwd: string,
): Promise<{ output: string; exitCode: number }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return { output: `${stdout}${stderr}`, exitCode: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string };
    if (failed.code === 'ENOENT')
      throw new Error("promtool is missing: install Debian's prometheus package (npm test does)");
    return {
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
      exitCode: Number(failed.code),
    };
  }
}

interface AlertRule {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('the alerting rules', () => {
  let rules: AlertRule[];
  let tests: AlertTests;
  let copy: string;
  beforeAll(async () => {
    const file = parse(await readFile(ALERT_RULES, 'utf8')) as { groups: { rules: AlertRule[] }[] };
    rules = file.groups.flatMap((group) => group.rules);
    tests = parse(await readFile(ALERT_TESTS, 'utf8')) as AlertTests;
    copy = await mkdtemp(join(tmpdir(), 'lazarus-alerts-'));
    await cp(MONITORING_DIR, copy, { recursive: true });
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it('pass promtool check rules', async () => {
    expect(await promtool(['check', 'rules', ALERT_RULES], MONITORING_DIR)).toEqual({
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) as unknown,
      exitCode: 0,
    });
  });

  it('fire as their promtool unit tests say, with every label and annotation', async () => {
    const { output, exitCode } = await promtool(['test', 'rules', ALERT_TESTS], MONITORING_DIR);
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/SUCCESS/);
  });

  it('fail their unit tests when an annotation changes (the tests above can fail)', async () => {
    const broken = join(copy, 'lazarus-alerts.yaml');
    await writeFile(
      broken,
      (await readFile(ALERT_RULES, 'utf8')).replace(
        'command: lazarus show {{ $labels.host }}',
        'command: lazarus shwo {{ $labels.host }}',
      ),
    );
    const { output, exitCode } = await promtool(
      ['test', 'rules', 'lazarus-alerts-test.yaml'],
      copy,
    );
    expect(exitCode).toBe(1);
    expect(output).toMatch(/FAILED[\s\S]*command="lazarus shwo cmp-05"/);
  });

  it('each fire in at least one unit test', () => {
    const tested = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? [])
          .filter((expected) => expected.exp_alerts.length > 0)
          .map((expected) => expected.alertname),
      ),
    );
    expect(rules.map((rule) => rule.alert).filter((alert) => !tested.has(alert))).toEqual([]);
  });

  it('each carry origin="lazarus", a severity, a summary, a description and the lazarus command that acts on it', () => {
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      // What the receiver reads to start nothing from one routed to it by mistake.
      expect(rule.labels?.origin, rule.alert).toBe(LAZARUS_ALERT_ORIGIN);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual([
        'command',
        'description',
        'summary',
      ]);
      expect(rule.annotations?.command, rule.alert).toMatch(/^(\{\{.*\}\})?lazarus [a-z-]+/);
    }
  });
});
