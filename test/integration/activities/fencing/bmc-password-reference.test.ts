import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BmcEntry } from '../../../../activities/fencing/index.ts';
import { createFenceDriver } from '../../../../activities/fencing/index.ts';
import type { RedfishEndpoint } from '../../../../simulator/bmc/index.ts';
import type { TestFleet } from '../../simulator/bmc-clients.ts';
import { startTestFleet } from '../../simulator/bmc-clients.ts';
import { settings } from './fencing-fixtures.ts';

const HOST = 'cmp-01';

describe('BMC passwords given by reference', () => {
  let test: TestFleet;
  let bmc: RedfishEndpoint;
  const entry = (password: BmcEntry['password']): BmcEntry => ({
    protocol: 'redfish',
    address: bmc.url,
    username: bmc.username,
    auth: 'basic',
    password,
  });
  const build = (password: BmcEntry['password']) =>
    createFenceDriver(entry(password), {
      host: HOST,
      settings: settings({
        redfish: {
          isInsecure: false,
          ...(bmc.caBundle === undefined ? {} : { caBundle: bmc.caBundle }),
        },
      }),
      warn: () => undefined,
    });

  beforeAll(async () => {
    test = await startTestFleet([{ host: HOST, ipmi: false }]);
    bmc = test.endpointsOf(HOST).redfish;
  });
  afterAll(async () => {
    await test.fleet.stop();
  });

  it('reads a password file, ignoring the newline that ends it', async () => {
    const file = join(test.directory, 'bmc-password');
    await writeFile(file, `${bmc.password}\n`, { mode: 0o600 });
    const driver = await build({ file });
    expect(await driver.powerState()).toBe('On');
    await driver.close();
  });

  it('names the unset variable or unreadable file and what to do, without any value', async () => {
    await expect(build({ env: 'LAZARUS_TEST_UNSET_PASSWORD' })).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: `the BMC password of host ${HOST} is to come from environment variable LAZARUS_TEST_UNSET_PASSWORD, which is not set; set it in the Lazarus worker's environment`,
    });
    await expect(build({ file: join(test.directory, 'absent') })).rejects.toThrow(
      /is to come from file .*absent, which cannot be read \(ENOENT\); create it readable by the Lazarus worker only/,
    );
  });
});
