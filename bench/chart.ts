// A hand-written SVG bar chart of the headline RTOs: per scenario, the physical limit, Lazarus and the two
// re-enactments, in seconds of each one's cloud, each scenario scaled to its own longest bar.
import type { BenchResults } from './results.ts';
import { headlineOf } from './results.ts';

const BARS = [
  {
    label: 'physical limit',
    colour: '#9e9e9e',
    value: (h: ReturnType<typeof headlineOf>) => h.limitRtoS,
  },
  {
    label: 'Lazarus',
    colour: '#1565c0',
    value: (h: ReturnType<typeof headlineOf>) => h.lazarusRtoS,
  },
  {
    label: 'Masakari (re-enacted)',
    colour: '#ef6c00',
    value: (h: ReturnType<typeof headlineOf>) => h.masakariRtoS,
  },
  {
    label: 'Pacemaker (re-enacted)',
    colour: '#6a1b9a',
    value: (h: ReturnType<typeof headlineOf>) => h.pacemakerRtoS,
  },
] as const;

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(results: BenchResults): string {
  const barHeight = 14;
  const groupHeight = BARS.length * barHeight + 20;
  const left = 190;
  const width = 760;
  const plotWidth = width - left - 90;
  const top = 40;
  const height = top + results.scenarios.length * groupHeight + 10;
  const rows: string[] = [];
  results.scenarios.forEach((result, group) => {
    const headline = headlineOf(result);
    const longest = Math.max(
      ...BARS.map((bar) => bar.value(headline)).filter(Number.isFinite),
      1e-9,
    );
    const y0 = top + group * groupHeight;
    rows.push(
      `<text x="10" y="${y0 + 12}" font-weight="bold">${escapeXml(result.scenario.name)}</text>`,
    );
    BARS.forEach((bar, index) => {
      const value = bar.value(headline);
      const y = y0 + 4 + index * barHeight;
      const length = Number.isFinite(value) ? (value / longest) * plotWidth : 0;
      rows.push(
        `<text x="${left - 6}" y="${y + 11}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      );
      rows.push(
        `<rect x="${left}" y="${y + 2}" width="${length.toFixed(1)}" height="${barHeight - 3}" fill="${bar.colour}"/>`,
      );
      rows.push(
        `<text x="${(left + length + 4).toFixed(1)}" y="${y + 11}">${Number.isFinite(value) ? `${value.toFixed(1)} s` : '-'}</text>`,
      );
    });
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="20" font-size="13" font-weight="bold">${escapeXml(`Recovery time, median of ${results.repeats}, seconds (${results.date})`)}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
