import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceHost } from '../../../../activities/fencing/index.ts';
import { redfishDriverFor, TIMING } from './fencing-fixtures.ts';

// The simulated BMCs always allow ForceOff, so this BMC, which does not, is a few lines of HTTP here.
const SYSTEM = '/redfish/v1/Systems/1';
const ACTION_INFO = `${SYSTEM}/ResetActionInfo`;

describe('a Redfish BMC that does not allow ForceOff', () => {
  const posts: string[] = [];
  let url: string;
  let close: () => void;
  let advertise: 'AllowableValues' | 'ActionInfo' = 'AllowableValues';

  beforeAll(async () => {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const reset: Record<string, unknown> = { target: `${SYSTEM}/Actions/ComputerSystem.Reset` };
      if (advertise === 'AllowableValues')
        reset['ResetType@Redfish.AllowableValues'] = ['On', 'GracefulShutdown', 'GracefulRestart'];
      else reset['@Redfish.ActionInfo'] = ACTION_INFO;
      const bodies: Record<string, unknown> = {
        [SYSTEM]: { Id: '1', PowerState: 'On', Actions: { '#ComputerSystem.Reset': reset } },
        [ACTION_INFO]: {
          Parameters: [
            { Name: 'ResetType', Required: true, AllowableValues: ['On', 'GracefulShutdown'] },
          ],
        },
      };
      if (request.method === 'POST') posts.push(request.url ?? '');
      const body = bodies[request.url ?? ''];
      response
        .writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => {
      server.close();
    };
  });
  afterAll(() => {
    close();
  });

  for (const how of ['AllowableValues', 'ActionInfo'] as const) {
    it(`fails with BmcUnsupported and sends nothing when ${how} leaves ForceOff out, never falling back to GracefulShutdown`, async () => {
      advertise = how;
      const { driver } = await redfishDriverFor(
        { url, username: 'u', password: 'p', systemPath: SYSTEM },
        { auth: 'basic', systemId: '1' },
      );
      const failure = fenceHost('cmp-01', driver, TIMING);
      await expect(failure).rejects.toMatchObject({ type: 'BmcUnsupported', retryable: false });
      await expect(failure).rejects.toThrow(
        /does not allow ResetType "ForceOff" on \/redfish\/v1\/Systems\/1 \(it offers only "On", "GracefulShutdown".*Lazarus never falls back to a graceful shutdown/,
      );
      expect(posts).toEqual([]);
    });
  }
});
