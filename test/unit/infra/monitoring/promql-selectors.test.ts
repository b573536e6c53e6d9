import { describe, expect, it } from 'vitest';
import { selectorsOf } from '../../../support/promql-selectors.ts';

describe('the metrics a PromQL expression reads', () => {
  it('are its selectors, with the labels they match on', () => {
    expect(
      selectorsOf(
        'max without (instance) (lazarus_incident_age_seconds{phase=~"Fencing|Evacuating", host!=""}) > 600',
      ),
    ).toEqual([{ metric: 'lazarus_incident_age_seconds', labels: ['phase', 'host'] }]);
  });

  it('are not functions, keywords, grouping labels, durations, numbers or Grafana variables', () => {
    expect(
      selectorsOf(
        'histogram_quantile(0.9, sum by (le, protocol) (rate(lazarus_fencing_duration_seconds_bucket[$__rate_interval]))) ' +
          'or on (host) group_left (reason) lazarus_storm_guard_held_seconds offset 1h > bool 1e3',
      ).map((selector) => selector.metric),
    ).toEqual(['lazarus_fencing_duration_seconds_bucket', 'lazarus_storm_guard_held_seconds']);
  });

  it('are not the words of a string argument', () => {
    expect(
      selectorsOf(
        'label_replace(absent_over_time(temporal_num_pollers{task_queue="lazarus"}[2m]), "reason", "no worker (none runs) {x}", "", "")',
      ),
    ).toEqual([{ metric: 'temporal_num_pollers', labels: ['task_queue'] }]);
  });

  it('include a misspelled metric, so that a check against the exported names can fail', () => {
    expect(selectorsOf('sum(rate(lazarus_nova_cals{outcome!="ok"}[5m]))')).toEqual([
      { metric: 'lazarus_nova_cals', labels: ['outcome'] },
    ]);
  });
});
