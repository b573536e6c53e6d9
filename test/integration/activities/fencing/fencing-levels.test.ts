// Fencing levels against the simulator (docs/design.md#fencing-levels): each host's BMC first, then
// the rack PDU outlets feeding it (two per host: a dual-PSU server), configured the way an operator
// writes lazarus.yaml. The PDU is real HTTPS verified with the CA bundle, like the BMCs; the world's
// power and the ledger say what really happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../../activities/index.ts';
import type { Activities } from '../../../../activities/index.ts';
import type { NovaProvider } from '../../../../activities/incident/index.ts';
import { fenceDriversFromInventory } from '../../../../activities/incident/index.ts';
import { loadConfig } from '../../../../config/load-config.ts';
import type { BmcFaults } from '../../../../simulator/bmc/index.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import type { Simulator } from '../../../../simulator/simulator.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';
import {
  simulatedCloudEnv,
  writeSimulatedCloudConfig,
} from '../../../support/simulated-cloud-config.ts';
import { captureLogs } from '../openstack/cloud.ts';
import { entriesOf, expectFailure, incidentDependencies } from '../incident/incident-cloud.ts';

const HOSTS = ['cmp-01', 'cmp-02', 'cmp-03', 'cmp-04'];

let sim: Simulator;
let activities: Activities;
let nova: NovaProvider | undefined;

beforeAll(async () => {
  sim = await startSimulator({
    hosts: HOSTS.length,
    instancesPerHost: 2,
    timeScale: 1000,
    startBmcFleet,
    bmc: { ipmiHosts: 0, pdu: { outletsPerHost: 2 } },
  });
  Object.assign(process.env, simulatedCloudEnv(sim));
  const path = await writeSimulatedCloudConfig(sim, HOSTS, {
    fileName: 'lazarus-with-pdu.yaml',
    isPduIncluded: true,
  });
  // Each level may take this long to read Off: short, as simulated power changes take milliseconds.
  const config = await loadConfig({
    path,
    env: { LAZARUS_FENCING_POWER_OFF_TIMEOUT_SECONDS: '0.4' },
  });
  const logs = captureLogs();
  const dependencies = incidentDependencies(sim, logs);
  nova = dependencies.nova;
  activities = createActivities({
    taskQueue: 'fencing-levels-test',
    ...dependencies,
    fencing: fenceDriversFromInventory(
      config.bmcs,
      config.fencing,
      (line) => logs.lines.push(line),
      config.pdus,
    ),
  });
});

afterAll(async () => {
  await nova?.close();
  await sim.stop();
});

const powerOf = (host: string) => sim.state().hosts.find((h) => h.name === host)?.power;
const pduPowerCommands = (host: string) =>
  entriesOf(sim, 'power').filter((entry) => entry.host === host && entry.via === 'redfish-pdu');

/** Fences a crashed `host` while its BMC and the PDU both have `faults`; the PDU is healthy again after. */
async function failingBothLevels(
  host: string,
  faults: BmcFaults,
  type: 'FencingUnproven' | 'BmcUnavailable',
) {
  sim.failHost(host, 'compute-crash');
  sim.setBmcFaults(host, faults);
  // Through the admin API, as an operator of `npm run sim` would.
  const setPduFaults = (pduFaults: BmcFaults) =>
    fetch(`${sim.adminUrl}/_sim/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pdu: { faults: pduFaults } }),
    }).then((response) => {
      expect(response.status).toBe(200);
    });
  await setPduFaults(faults);
  try {
    return await expectFailure(activities.fenceHost(host), type, type === 'BmcUnavailable');
  } finally {
    await setPduFaults({});
  }
}

describe('fencing a host through its levels', () => {
  it('fences a host at level 1 through its working BMC and never touches its PDU outlets', async () => {
    sim.failHost('cmp-01', 'compute-crash');
    const proof = await activities.fenceHost('cmp-01');
    expect(proof).toMatchObject({ host: 'cmp-01', level: 1, device: 'bmc', protocol: 'redfish' });
    expect(proof).not.toHaveProperty('earlierLevels');
    expect(powerOf('cmp-01')).toBe('Off');
    expect(sim.pdu?.outletStates()).toMatchObject({ A1: 'On', B1: 'On' });
    expect(pduPowerCommands('cmp-01')).toEqual([]);
  });

  it('fences a host whose BMC is unreachable through both its PDU outlets, and the proof names level 2', async () => {
    sim.failHost('cmp-02', 'compute-crash');
    sim.setBmcFaults('cmp-02', { unreachable: true });
    const proof = await activities.fenceHost('cmp-02');
    expect(proof).toMatchObject({
      host: 'cmp-02',
      level: 2,
      device: 'pdu',
      protocol: 'redfish-pdu',
      powerState: 'Off',
      wasAlreadyOff: false,
      earlierLevels: [{ level: 1, device: 'bmc', type: 'BmcUnavailable' }],
    });
    expect(proof.bmc).toMatch(/^https:\/\/127\.0\.0\.1:\d+ outlets A2, B2$/);
    expect(proof.earlierLevels?.[0]?.reason).toContain('did not answer');
    expect(powerOf('cmp-02')).toBe('Off');
    expect(sim.pdu?.outletStates()).toMatchObject({ A2: 'Off', B2: 'Off', A1: 'On', A3: 'On' });
    expect(pduPowerCommands('cmp-02')).toMatchObject([{ state: 'Off', previous: 'On' }]);
    expect(sim.invariants().violations).toEqual([]);
    expect(JSON.stringify(proof)).not.toContain(sim.pdu?.endpoint.password);
  });

  it('fails with both reasons when the BMC ignores the power-off and the PDU relay is welded', async () => {
    const failure = await failingBothLevels('cmp-03', { ignorePowerOff: true }, 'FencingUnproven');
    expect(failure.message).toMatch(
      /^fencing host cmp-03 failed at every level: level 1 \(redfish https:\/\/127\.0\.0\.1:\d+\): .*power state still "On" .* after ForceOff.*; level 2 \(redfish-pdu pdu-sim outlets A3, B3\): .*via Redfish PDU .*power state still "On" .* after Outlet\.PowerControl Off.*; check those devices, then retry or confirm manual fencing$/,
    );
    expect(powerOf('cmp-03')).toBe('On');
  });

  it('fails retryably, with both reasons, when neither the BMC nor the PDU answers', async () => {
    const failure = await failingBothLevels('cmp-04', { unreachable: true }, 'BmcUnavailable');
    expect(failure.message).toMatch(
      /failed at every level: level 1 \(redfish .*\): .*did not answer.*; level 2 \(redfish-pdu pdu-sim outlets A4, B4\): .*Redfish PDU pdu-sim at .*check that the PDU is powered and reachable/,
    );
    expect(JSON.stringify([failure.message, failure.details])).not.toContain(
      sim.pdu?.endpoint.password,
    );
    expect(powerOf('cmp-04')).toBe('On');
    expect(sim.pdu?.outletStates()).toMatchObject({ A4: 'On', B4: 'On' });
  });
});
