// One re-enactment run in a process of its own, so its simulated cloud and client never share an
// event loop with the cloud Lazarus is talking to: `node --import tsx baseline-process.ts
// <masakari|pacemaker> <scenario>` prints the run as one JSON line.
import { SCENARIOS } from '../scenarios.ts';
import { runBaseline } from './run-baseline.ts';

const [procedure, name] = process.argv.slice(2);
const scenario = SCENARIOS.find((s) => s.name === name);
if ((procedure !== 'masakari' && procedure !== 'pacemaker') || scenario === undefined) {
  console.error('usage: baseline-process.ts <masakari|pacemaker> <scenario name>');
  process.exit(2);
}
console.log(JSON.stringify(await runBaseline(procedure, scenario)));
