// Where the monitoring files of infra/monitoring/ are, and the PromQL expressions they hold: every
// alert rule's and every dashboard query's, for the tests that hold them to the worker's metrics.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './repository.ts';

export const MONITORING_DIR = join(REPO_ROOT, 'infra', 'monitoring');
export const ALERT_RULES = join(MONITORING_DIR, 'lazarus-alerts.yaml');
export const ALERT_TESTS = join(MONITORING_DIR, 'lazarus-alerts-test.yaml');
export const DASHBOARD = join(MONITORING_DIR, 'lazarus-dashboard.json');

/** A PromQL expression and where it comes from, for a failure's message. */
export interface Query {
  where: string;
  expr: string;
}

export async function alertQueries(): Promise<Query[]> {
  const file = parse(await readFile(ALERT_RULES, 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return file.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  );
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every panel's queries, those of the panels inside collapsed rows too. */
export async function dashboardQueries(): Promise<Query[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const queriesOf = (panel: Panel): Query[] => [
    ...(panel.targets ?? []).flatMap((target) =>
      target.expr === undefined
        ? []
        : [{ where: `panel "${panel.title ?? '?'}"`, expr: target.expr }],
    ),
    ...(panel.panels ?? []).flatMap(queriesOf),
  ];
  return dashboard.panels.flatMap(queriesOf);
}
