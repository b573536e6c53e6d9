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
    `Limits: ${limits.maxIncidents} incidents within ${limits.windowMs / 60_000} min; ${Math.round(limits.maxFractionDown * 100)} % of nova-compute services down`,
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
