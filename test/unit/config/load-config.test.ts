import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LazarusError } from '../../../activities/errors.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { NO_CORROBORATION } from '../../../domain/corroboration.ts';
import { DEFAULT_EVACUATION_POLICY } from '../../../domain/evacuation-policy.ts';
import {
  DEFAULT_DETECTOR_RULES,
  DEFAULT_DETECTOR_SETTINGS,
} from '../../../apps/detector/detector-rules.ts';
import { DEFAULT_STORM_GUARD_LIMITS } from '../../../contracts/storm-guard-messages.ts';
import { temporalConnectConfig } from '../../../config/temporal-connection.ts';
import { REPO_ROOT } from '../../support/repository.ts';

const EXAMPLE = join(REPO_ROOT, 'config', 'lazarus.example.yaml');

describe('the Lazarus configuration file', () => {
  let directory: string;
  let counter = 0;
  const configWith = async (yaml: string): Promise<string> => {
    counter += 1;
    const path = join(directory, `lazarus-${counter}.yaml`);
    await writeFile(path, yaml);
    return path;
  };
  const problemsOf = async (yaml: string, env: Record<string, string> = {}): Promise<string> => {
    const error = await loadConfig({ path: await configWith(yaml), env }).then(
      () => undefined,
      (thrown: unknown) => thrown as LazarusError,
    );
    expect(error?.type).toBe('ConfigurationInvalid');
    return error?.message ?? '';
  };
  const redfishRack =
    'bmcs:\n  - pattern: "cmp-{n}"\n    protocol: redfish\n    address: "https://bmc-cmp-{n}.mgmt.example"\n    username: lazarus\n    passwordEnv: BMC_PASSWORD\n';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-config-test-'));
  });

  it('loads the example file, resolving patterns, lists and per-host overrides', async () => {
    const config = await loadConfig({ path: EXAMPLE, env: {} });
    expect(config.fencing).toEqual({
      powerOffTimeoutMs: 20_000,
      pollIntervalMs: 1000,
      requestTimeoutMs: 10_000,
      ipmitool: 'ipmitool',
      redfish: { caBundle: '/etc/lazarus/bmc-ca.pem', isInsecure: false },
    });
    expect(config.bmcs.bmcFor('cmp-03')).toEqual({
      protocol: 'redfish',
      address: 'https://bmc-cmp-03.mgmt.example',
      username: 'lazarus',
      password: { env: 'LAZARUS_BMC_PASSWORD' },
      auth: 'session',
    });
    expect(config.bmcs.bmcFor('cmp-07')).toMatchObject({
      address: 'https://10.20.0.7:8443',
      systemId: 'System.Embedded.1',
      password: { env: 'LAZARUS_BMC_PASSWORD' },
    });
    expect(config.bmcs.bmcFor('gpu-02')).toEqual({
      protocol: 'ipmi',
      address: 'gpu-02-ipmi.mgmt.example',
      port: 623,
      cipherSuite: 3,
      username: 'fence',
      password: { file: '/etc/lazarus/ipmi-password' },
    });
    expect(config.bmcs.bmcFor('ctl-01')).toBeUndefined();
    expect(config.bmcs.namedHosts().sort()).toEqual(['cmp-07', 'gpu-01', 'gpu-02']);
  });

  it('fills in defaults for everything but the BMC inventory', async () => {
    const config = await loadConfig({ path: await configWith('{}'), env: {} });
    expect(config.temporal).toEqual({
      taskQueue: 'lazarus',
      maxConcurrentActivities: 20,
      maxCachedWorkflows: 500,
      evacuateCallsPerSecond: 5,
      versioning: { enabled: false, deploymentName: 'lazarus' },
    });
    expect(config.fencing).toMatchObject({
      powerOffTimeoutMs: 20_000,
      pollIntervalMs: 1000,
      redfish: { isInsecure: false },
    });
    expect(config.incident).toEqual({
      policy: { ...DEFAULT_EVACUATION_POLICY, protectionKeys: ['HA_Enabled', 'evacuable'] },
      evacuationConcurrency: 10,
      maxEvacuationsInFlight: 200,
      landingCheckIntervalMs: 1000,
      capacityRecheckIntervalMs: 60_000,
      maxEvacuationAttempts: 3,
      readmission: 'operator',
      suppressAfterAbortMs: 240 * 60_000,
      isAdmissionRequired: true,
      corroboration: NO_CORROBORATION,
    });
    expect(config.stormGuard).toEqual(DEFAULT_STORM_GUARD_LIMITS);
    expect(config.detector).toEqual({
      isEnabled: false,
      ...DEFAULT_DETECTOR_SETTINGS,
      rules: DEFAULT_DETECTOR_RULES,
    });
  });

  it('turns the detector section into its settings, and refuses rules without a failure signal', async () => {
    const config = await loadConfig({
      path: await configWith(
        [
          'detector:',
          '  enabled: true',
          '  pollSeconds: 2',
          '  debounceSeconds: 0',
          '  ignoreDisabled: false',
          '  reportWhen:',
          '    novaDown: false',
          '    bmcReachable: false',
          '    bmcPowerOff: true',
        ].join('\n'),
      ),
      env: {},
    });
    expect(config.detector).toEqual({
      isEnabled: true,
      pollMs: 2000,
      debounceMs: 0,
      reporter: 'lazarus-detector',
      rules: {
        isNovaDownRequired: false,
        isBmcReachableRequired: false,
        isBmcPowerOffRequired: true,
        shouldIgnoreDisabled: false,
      },
    });
    const message = await problemsOf(
      'detector:\n  pollSeconds: 0\n  reportWhen:\n    novaDown: false\n',
    );
    expect(message).toContain('detector.pollSeconds: must be more than 0 seconds');
    expect(message).toContain(
      'detector.reportWhen: needs novaDown: true or bmcPowerOff: true; without a failure signal every host would be reported',
    );
  });

  it('turns the incident and storm-guard sections into what every incident is started with', async () => {
    const config = await loadConfig({
      path: await configWith(
        [
          'incident:',
          '  protect: all',
          '  imageBackedOnLocalDisk: evacuate',
          '  restartRunningInstances: false',
          '  evacuationConcurrency: 8',
          '  maxEvacuationsInFlight: 20',
          '  novaQueueSeconds: 30',
          '  landingCheckSeconds: 0.25',
          '  readmission: automatic',
          '  corroboration:',
          '    novaDown: true',
          '    bmcReachable: true',
          '    minReporters: 2',
          '    timeoutSeconds: 300',
          '    recheckSeconds: 5',
          'stormGuard:',
          '  enabled: false',
          '  maxIncidents: 5',
          '  maxFractionDown: 0.1',
          '  windowMinutes: 30',
          '  flapping:',
          '    failures: 4',
          '    withinHours: 12',
        ].join('\n'),
      ),
      env: {},
    });
    expect(config.incident).toMatchObject({
      policy: {
        protect: 'all',
        imageBackedOnLocalDisk: 'evacuate',
        shouldRestartRunningInstances: false,
      },
      evacuationConcurrency: 8,
      maxEvacuationsInFlight: 20,
      landingCheckIntervalMs: 250,
      readmission: 'automatic',
      isAdmissionRequired: false,
      corroboration: {
        isNovaDownRequired: true,
        isBmcReachableRequired: true,
        minReporters: 2,
        timeoutMs: 300_000,
        recheckIntervalMs: 5000,
      },
    });
    expect(config.incident.novaQueueWaitMs).toBe(30_000);
    expect(config.stormGuard).toEqual({
      maxIncidents: 5,
      maxFractionDown: 0.1,
      windowMs: 1_800_000,
      flapping: { failures: 4, windowMs: 43_200_000 },
    });
  });

  it('turns capacity-aware recovery off with capacity.check: false', async () => {
    const config = await loadConfig({
      path: await configWith('incident:\n  capacity:\n    check: false\n'),
      env: {},
    });
    expect(config.incident).not.toHaveProperty('capacityRecheckIntervalMs');
  });

  it('turns the flapping guard off with failures: 0', async () => {
    const config = await loadConfig({
      path: await configWith('stormGuard:\n  flapping:\n    failures: 0\n'),
      env: {},
    });
    expect(config.stormGuard).not.toHaveProperty('flapping');
  });

  it('says which incident and storm-guard settings are wrong and what they accept', async () => {
    const message = await problemsOf(
      'incident:\n  stopped: ignore\n  evacuationConcurrency: 0\n  novaQueueSeconds: -5\n  readmission: never\nstormGuard:\n  maxFractionDown: 25\n  flapping:\n    failures: -1\n    withinHours: 0\n',
    );
    expect(message).toContain('stormGuard.flapping.failures: must be 0 (off) or more');
    expect(message).toContain('stormGuard.flapping.withinHours: must be more than 0 hours');
    expect(message).toContain('incident.novaQueueSeconds: must be 0 (off) or more');
    expect(message).toContain('incident.stopped: must be evacuate or skip');
    expect(message).toContain('incident.evacuationConcurrency: must be at least 1');
    expect(message).toContain('incident.readmission: must be operator or automatic');
    expect(message).toContain(
      'stormGuard.maxFractionDown: must be a fraction from 0 to 1, e.g. 0.25',
    );
  });

  it('refuses an inline password and says how to reference it instead', async () => {
    const message = await problemsOf(`${redfishRack}    password: hunter2-inline\n`);
    expect(message).toContain('bmcs[0].password: inline passwords are not accepted');
    expect(message).toContain(
      'write passwordEnv: VARIABLE_NAME, or in a file readable only by Lazarus and write passwordFile: /path/to/file',
    );
    expect(message).not.toContain('hunter2-inline');
  });

  it('names the field of an unknown protocol, a missing field, an unknown field and a bad number', async () => {
    const message = await problemsOf(
      [
        'fencing:',
        '  pollIntervalSecs: 1',
        '  powerOffTimeoutSeconds: -3',
        'bmcs:',
        '  - host: cmp-01',
        '    protocol: snmp',
        '    address: https://x',
        '    username: u',
        '    passwordEnv: P',
        '  - host: cmp-02',
        '    protocol: ipmi',
        '    address: 10.0.0.2',
        '    passwordEnv: P',
        '',
      ].join('\n'),
    );
    expect(message).toMatch(/^configuration .*lazarus-\d+\.yaml is invalid:\n/);
    expect(message).toContain('fencing: has unknown field pollIntervalSecs; check the spelling');
    expect(message).toContain('fencing.powerOffTimeoutSeconds: must be more than 0 seconds');
    expect(message).toContain('bmcs[0].protocol: must be redfish or ipmi');
    // The schema stops before the inventory is checked; missing fields show once it is valid.
    const missing = await problemsOf(
      'bmcs:\n  - host: cmp-02\n    protocol: ipmi\n    address: 10.0.0.2\n    passwordEnv: P\n',
    );
    expect(missing).toContain('bmcs[0].username: is missing; add username: lazarus');
  });

  it('checks the inventory: one way to name hosts, known placeholders, one entry per host, addresses that fit the protocol', async () => {
    const message = await problemsOf(
      [
        'bmcs:',
        '  - pattern: "cmp-{n}"',
        '    protocol: redfish',
        '    address: "https://bmc-{rack}-{n}"',
        '    username: u',
        '    passwordEnv: P',
        '  - host: x',
        '    hosts: [y]',
        '    protocol: ipmi',
        '    address: a',
        '    username: u',
        '    passwordEnv: P',
        '  - host: ipmi-1',
        '    protocol: ipmi',
        '    address: "https://bmc"',
        '    username: u',
        '    passwordFile: /f',
        '  - host: ipmi-1',
        '    protocol: ipmi',
        '    address: b',
        '    username: u',
        '    passwordFile: /f',
        '',
      ].join('\n'),
    );
    expect(message).toContain(
      'bmcs[1]: names its hosts with host and hosts; give exactly one of host: NAME',
    );
    const inventory = await problemsOf(
      [
        'bmcs:',
        '  - pattern: "cmp-{n}"',
        '    protocol: redfish',
        '    address: "https://bmc-{rack}-{n}"',
        '    username: u',
        '    passwordEnv: P',
        '  - host: ipmi-1',
        '    protocol: ipmi',
        '    address: "https://bmc"',
        '    username: u',
        '    passwordFile: /f',
        '  - host: ipmi-1',
        '    protocol: ipmi',
        '    address: b',
        '    username: u',
        '    passwordFile: /f',
        '',
      ].join('\n'),
    );
    expect(inventory).toContain('bmcs[0].address: uses {rack}, which its pattern does not define');
    expect(inventory).toContain(
      'bmcs[2]: names host ipmi-1 again (bmcs[1] already does); merge the two entries',
    );
    expect(inventory).toContain('"https://bmc" is not a host name or IP address');
  });

  it('lets environment variables override the file, and names the variable when its value is wrong', async () => {
    const path = await configWith(`openstack:\n  cloud: from-file\n${redfishRack}`);
    const config = await loadConfig({
      path,
      env: {
        OS_CLOUD: 'from-env',
        LAZARUS_FENCING_POLL_INTERVAL_SECONDS: '0.25',
        LAZARUS_REDFISH_INSECURE: 'true',
      },
    });
    expect(config.openstack.cloud).toBe('from-env');
    expect(config.fencing).toMatchObject({ pollIntervalMs: 250, redfish: { isInsecure: true } });
    const message = await problemsOf(redfishRack, {
      LAZARUS_FENCING_POLL_INTERVAL_SECONDS: 'soon',
    });
    expect(message).toContain(
      'fencing.pollIntervalSeconds (from LAZARUS_FENCING_POLL_INTERVAL_SECONDS): must be a number of seconds',
    );
  });

  it('finds the file through LAZARUS_CONFIG, and says how to provide one when it is missing', async () => {
    const path = await configWith(redfishRack);
    expect((await loadConfig({ env: { LAZARUS_CONFIG: path } })).path).toBe(path);
    await expect(
      loadConfig({ env: { LAZARUS_CONFIG: join(directory, 'absent.yaml') } }),
    ).rejects.toThrow(
      /configuration file .*absent\.yaml does not exist; write one .* or name it with --config or LAZARUS_CONFIG/,
    );
  });

  it('reports YAML syntax errors with their line', async () => {
    expect(await problemsOf('bmcs:\n  - host: [unclosed\n')).toMatch(
      /line \d+, column \d+: is not valid YAML/,
    );
  });

  it('keeps only references to passwords, never their values', async () => {
    const secretFile = join(directory, 'bmc-password');
    await writeFile(secretFile, 'file-secret-91c2\n');
    const path = await configWith(
      `${redfishRack}  - host: cmp-09\n    passwordFile: ${secretFile}\n`,
    );
    const config = await loadConfig({ path, env: { BMC_PASSWORD: 'env-secret-5d0e' } });
    expect(config.bmcs.bmcFor('cmp-09')).toMatchObject({ password: { file: secretFile } });
    const shown = `${inspect(config, { depth: 10 })}${JSON.stringify(config)}${JSON.stringify(config.bmcs.bmcFor('cmp-09'))}`;
    expect(shown).not.toContain('file-secret-91c2');
    expect(shown).not.toContain('env-secret-5d0e');
  });

  it('takes the Temporal connection from TEMPORAL_* variables the standard way', async () => {
    const config = await loadConfig({ path: await configWith('{}'), env: {} });
    const connect = temporalConnectConfig(config.temporal, {
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'lazarus-prod',
    });
    expect(connect).toMatchObject({
      namespace: 'lazarus-prod',
      connectionOptions: { address: 'temporal.example:7233' },
    });
  });
});
