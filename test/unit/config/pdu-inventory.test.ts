// The `pdus` section: a host's second fencing level, with passwords by reference only, and every
// mistake named by its field.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LazarusError } from '../../../activities/errors.ts';
import { fenceDriversFromInventory } from '../../../activities/incident/index.ts';
import type { LazarusConfig } from '../../../config/load-config.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { REPO_ROOT } from '../../support/repository.ts';

const BMCS =
  'bmcs:\n  - pattern: "cmp-{n}"\n    protocol: redfish\n    address: "https://bmc-cmp-{n}.mgmt.example"\n    username: lazarus\n    passwordEnv: BMC_PASSWORD\n';
const PDU_A = [
  'pdus:',
  '  - name: pdu-r12-a',
  '    address: https://pdu-r12-a.mgmt.example',
  '    username: lazarus',
  '    passwordEnv: PDU_PASSWORD',
  '    outlets:',
  '      cmp-01: A1',
  '      cmp-02: [A2, A3]',
].join('\n');
const PDU_B = [
  '  - name: pdu-r12-b',
  '    address: https://pdu-r12-b.mgmt.example',
  '    username: lazarus',
  '    passwordFile: /etc/lazarus/pdu-b.password',
  '    auth: basic',
  '    rackPduId: "2"',
  '    outlets:',
  '      cmp-02: B2',
].join('\n');

/** The host's fencing levels as the worker builds them from the file. */
function levelsOf(config: LazarusConfig, host: string) {
  return fenceDriversFromInventory(config.bmcs, config.fencing, () => undefined, config.pdus)
    .levelsFor?.(host)
    .map(({ level, device, describedAs }) => ({ level, device, describedAs }));
}

describe('the PDU inventory (pdus)', () => {
  let directory: string;
  let counter = 0;
  const load = async (yaml: string) => {
    counter += 1;
    const path = join(directory, `lazarus-${counter}.yaml`);
    await writeFile(path, yaml);
    return loadConfig({ path, env: {} });
  };
  const problemsOf = async (yaml: string): Promise<string> => {
    const error = await load(yaml).then(
      () => undefined,
      (thrown: unknown) => thrown as LazarusError,
    );
    expect(error?.type).toBe('ConfigurationInvalid');
    return error?.message ?? '';
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-pdu-config-test-'));
  });

  it('gives a host with only a BMC entry one fencing level, as before PDUs existed', async () => {
    const config = await load(BMCS);
    expect(config.pdus.outletsFor('cmp-01')).toEqual([]);
    expect(levelsOf(config, 'cmp-01')).toEqual([
      { level: 1, device: 'bmc', describedAs: 'redfish https://bmc-cmp-01.mgmt.example' },
    ]);
  });

  it("makes a host's outlets its second level, all its outlets on every PDU together", async () => {
    const config = await load(`${BMCS}${PDU_A}\n${PDU_B}\n`);
    expect(config.pdus.outletsFor('cmp-02')).toEqual([
      {
        pdu: {
          name: 'pdu-r12-a',
          protocol: 'redfish-pdu',
          address: 'https://pdu-r12-a.mgmt.example',
          username: 'lazarus',
          password: { env: 'PDU_PASSWORD' },
          auth: 'session',
        },
        outletIds: ['A2', 'A3'],
      },
      {
        pdu: {
          name: 'pdu-r12-b',
          protocol: 'redfish-pdu',
          address: 'https://pdu-r12-b.mgmt.example',
          username: 'lazarus',
          password: { file: '/etc/lazarus/pdu-b.password' },
          auth: 'basic',
          rackPduId: '2',
        },
        outletIds: ['B2'],
      },
    ]);
    expect(levelsOf(config, 'cmp-02')).toEqual([
      { level: 1, device: 'bmc', describedAs: 'redfish https://bmc-cmp-02.mgmt.example' },
      {
        level: 2,
        device: 'pdu',
        describedAs: 'redfish-pdu pdu-r12-a outlets A2, A3 + redfish-pdu pdu-r12-b outlet B2',
      },
    ]);
  });

  it('fences a host with outlets but no BMC entry through its PDU alone', async () => {
    const config = await load(`${PDU_A}\n`);
    expect(levelsOf(config, 'cmp-01')).toEqual([
      { level: 1, device: 'pdu', describedAs: 'redfish-pdu pdu-r12-a outlet A1' },
    ]);
  });

  it('loads the example file with its PDU section', async () => {
    const config = await loadConfig({
      path: join(REPO_ROOT, 'config', 'lazarus.example.yaml'),
      env: {},
    });
    expect(config.pdus.namedHosts().length).toBeGreaterThan(0);
  });

  it('refuses an inline password, and a PDU without a password reference', async () => {
    const inline = await problemsOf(
      `${PDU_A.replace('passwordEnv: PDU_PASSWORD', 'password: hunter2')}\n`,
    );
    expect(inline).toContain('pdus[0].password: inline passwords are not accepted');
    expect(inline).toContain('pdus[0].passwordEnv: is missing; add passwordEnv: VARIABLE_NAME');
    expect(inline).not.toContain('hunter2');
  });

  it('names a repeated PDU, an outlet given to two hosts, a bad address and a bad outlet list', async () => {
    const message = await problemsOf(
      [
        PDU_A.replace('cmp-02: [A2, A3]', 'cmp-02: [A2, A1]'),
        PDU_A.replace('pdus:\n', '').replace('https://pdu-r12-a.mgmt.example', 'pdu-r12-a'),
        '  - name: pdu-r13',
        '    address: https://pdu-r13.mgmt.example',
        '    username: lazarus',
        '    passwordEnv: PDU_PASSWORD',
        '    outlets:',
        '      cmp-09: []',
        '',
      ].join('\n'),
    );
    expect(message).toContain(
      'pdus[0].outlets.cmp-02: gives outlet A1 of pdu-r12-a to cmp-02, but cmp-01 has it already; an outlet feeds one host, correct the map',
    );
    expect(message).toContain(
      'pdus[1].address: "pdu-r12-a" is not a Redfish base URL; write it as https://HOST[:PORT]',
    );
    expect(message).toContain(
      'pdus[2].outlets.cmp-09: is empty; list the outlets feeding this host',
    );
  });

  it('names a PDU listed twice', async () => {
    const message = await problemsOf(`${PDU_A}\n${PDU_A.replace('pdus:\n', '')}\n`);
    expect(message).toContain(
      'pdus[1].name: repeats pdu-r12-a (pdus[0] is already called so); give every PDU its own name',
    );
  });
});
