// `npm run sim:config -- --out DIR < sim.json`: reads the JSON line `npm run sim` printed and writes
// DIR/lazarus.yaml for it; prints the environment to export and the preflight command to try.
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import {
  writeLazarusConfigForSimulator,
  type SimulatorAnnouncement,
} from './lazarus-config-for-simulator.ts';

const USAGE = 'usage: npm run sim -- … | head -n 1 | npm run --silent sim:config -- --out DIR';

function parseAnnouncement(input: string): SimulatorAnnouncement {
  const line = input.split('\n').find((candidate) => candidate.trim().startsWith('{'));
  if (line === undefined)
    throw new Error('no JSON line on standard input; pipe in the first line `npm run sim` prints');
  const parsed = JSON.parse(line) as Partial<SimulatorAnnouncement>;
  if (
    typeof parsed.cloud !== 'string' ||
    typeof parsed.cloudsYaml !== 'string' ||
    typeof parsed.bmcs !== 'object'
  ) {
    throw new Error(
      'the JSON line lacks cloud, cloudsYaml or bmcs; is it the line `npm run sim` prints?',
    );
  }
  return parsed as SimulatorAnnouncement;
}

try {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  if (values.out === undefined) throw new Error('--out DIR is required');
  const { configPath, env } = await writeLazarusConfigForSimulator(
    parseAnnouncement(await text(process.stdin)),
    values.out,
  );
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`);
  console.log(`# then: lazarus preflight --config ${configPath}`);
} catch (error) {
  console.error(`sim:config: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exitCode = 2;
}
