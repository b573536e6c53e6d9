// The metrics a PromQL expression reads, and the labels it selects them by: enough of PromQL to hold
// the alert rules and the dashboard to what the worker exports, without a parser of the whole
// language. It reads selectors (`name{label="value"}`) and knows what else a name can be: a function
// (followed by a parenthesis), a keyword, or a label inside `by (…)` and its kin.

export interface Selector {
  metric: string;
  labels: string[];
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The expression without what cannot name a metric: strings, ranges, label lists, Grafana's variables. */
function skeletonOf(expr: string): string {
  return (
    expr
      // Strings first: a bracket or a parenthesis inside one is text.
      .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
      .replace(/\[[^\]]*\]/g, '')
      .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
      .replace(/\$\{[^}]*\}|\$\w+/g, '')
  );
}

export function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  // A name not preceded by a word character (so not the unit of `5m` or the exponent of `1e3`),
  // with its label matchers if it has any.
  const names = /(?<![\w.:])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?/g;
  for (const [, metric = '', matchers = '', call] of skeletonOf(expr).matchAll(names)) {
    if (call !== undefined || KEYWORDS.has(metric.toLowerCase())) continue;
    const labels = [...matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map(([, label = '']) => label);
    selectors.push({ metric, labels });
  }
  return selectors;
}
