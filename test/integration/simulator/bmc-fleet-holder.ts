// Starts a BMC fleet with one IPMI host, prints its endpoints and holds it until killed: lets a test
// SIGKILL the process that owns ipmi_sim children and check that none outlives it.
import { startBmcFleet } from '../../../simulator/bmc/index.ts';
import { fakeWorld } from './bmc-clients.ts';

const [workDir] = process.argv.slice(2);
if (workDir === undefined) throw new Error('usage: bmc-fleet-holder.ts <work dir>');
const fleet = await startBmcFleet([{ host: 'cmp-01', ipmi: true }], {
  power: fakeWorld(['cmp-01']).power,
  timeScale: 1000,
  powerTransitionMs: 1000,
  redfishResponseStyle: '204',
  tls: false,
  workDir,
});
console.log(JSON.stringify(fleet.endpoints));
setInterval(() => undefined, 60_000);
