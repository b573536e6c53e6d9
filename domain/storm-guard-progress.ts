// How the storm guard shows itself in the Web UI: held incidents first (they wait for an operator),
// then what was admitted within the window. Pure, so it is unit-tested.
import { cell } from './incident-progress.ts';
import type { StormGuardState } from '../contracts/storm-guard-messages.ts';

export function guardDetails(state: StormGuardState): string {
  const { limits } = state;
  return [
    state.paused === undefined
      ? '**Automation running**'
      : `**Automation paused** by ${state.paused.operator} at ${state.paused.at}: ${cell(state.paused.reason)}`,
    '',
    `Limits: ${limits.maxIncidents} incidents within ${limits.windowMs / 60_000} min; ${Math.round(limits.maxFractionDown * 100)} % of nova-compute services down${limits.flapping === undefined ? '' : `; a host flaps at ${limits.flapping.failures} failures within ${limits.flapping.windowMs / 3_600_000} h`}`,
    ...flappingLines(state),
    '',
    `Held (${state.held.length}): approve with \`lazarus approve <host>\``,
    '',
    '| Host | Incident | Held since | Why |',
    '|---|---|---|---|',
    ...state.held.map(
      (held) =>
        `| ${held.host} | ${held.incidentWorkflowId} | ${held.heldSince} | ${cell(held.because)} |`,
    ),
    '',
    `Admitted within the window (${state.admitted.length}); running: ${state.running.length}`,
    '',
    '| Host | Incident | Admitted at | By |',
    '|---|---|---|---|',
    ...state.admitted.map(
      (admitted) =>
        `| ${admitted.host} | ${admitted.incidentWorkflowId} | ${admitted.admittedAt} | ${cell(admitted.by)} |`,
    ),
    ...(state.suppressions.length === 0
      ? []
      : [
          '',
          `Reports suppressed after an abort (${state.suppressions.length}): lift with \`lazarus unsuppress <host>\``,
          '',
          '| Host | Aborted by | At | Why | Until | Reports suppressed |',
          '|---|---|---|---|---|---|',
          ...state.suppressions.map(
            (suppression) =>
              `| ${suppression.host} | ${cell(suppression.operator)} | ${suppression.abortedAt} | ${cell(suppression.reason)} | ${suppression.until} | ${suppression.suppressedReports} |`,
          ),
        ]),
  ].join('\n');
}

/** Each host's failures within the flapping window, the most first: who is close to flapping. */
function flappingLines(state: StormGuardState): string[] {
  const failures = state.failures ?? [];
  if (state.limits.flapping === undefined || failures.length === 0) return [];
  const counts = new Map<string, number>();
  for (const { host } of failures) counts.set(host, (counts.get(host) ?? 0) + 1);
  const hosts = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return [
    '',
    `Failures within the flapping window: ${hosts.map(([host, count]) => `${host} ${count}`).join(', ')}`,
  ];
}
