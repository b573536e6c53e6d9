// No password, application-credential secret or token in any log line or error
// (docs/design.md#i7-no-secrets-in-history-or-logs):
// everything the clients say on the way through failures is captured and searched.
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveCloudCredentials } from '../../../../activities/openstack/index.ts';
import { captureLogs, connect, credentialsOf, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 2, instancesPerHost: 2 });
/** Everything said: log lines, console output, and each error as message, JSON and inspected with its causes. */
const said: string[] = [];

beforeEach(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      said.push(args.map((a) => inspect(a, { depth: 10 })).join(' '));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

function record(value: unknown): void {
  said.push(
    inspect(value, { depth: 10 }),
    JSON.stringify(value),
    value instanceof Error ? value.message : '',
  );
}

async function failure(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect(outcome).toHaveProperty('error');
  record(outcome);
}

const wrongPassword = 'Wr0ng-Passw0rd-7731';
const wrongSecret = 'Wr0ng-App-Secret-4410';

describe('secrets', () => {
  it('never appear in what the clients log or throw, through success, retries, re-authentication and failures', async () => {
    const s = sim();
    const { password, applicationCredential, username, projectName, userDomainId } = s.credentials;
    const logs = captureLogs();
    const connected = await connect(s, { logs });
    const { nova } = connected;
    record(connected);
    record(await credentialsOf(s));
    record(await credentialsOf(s, 'application-credential'));

    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 503 },
      times: 2,
    });
    record(await nova.listComputeServices());
    s.expireTokens();
    record(await nova.listInstancesOnHost('cmp-01'));
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 401 },
      times: 2,
    });
    await failure(nova.listComputeServices());
    const [instance] = await nova.listInstancesOnHost('cmp-01');
    s.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'lost-response' },
      times: 1,
    });
    record(await nova.evacuate(instance?.id ?? ''));
    await failure(nova.evacuate(instance?.id ?? ''));

    const env = {
      OS_AUTH_URL: s.keystoneUrl,
      OS_USERNAME: username,
      OS_PROJECT_NAME: projectName,
      OS_USER_DOMAIN_ID: userDomainId,
      OS_PROJECT_DOMAIN_ID: userDomainId,
    };
    await failure(
      connect(s, {
        logs,
        credentials: await resolveCloudCredentials({ env: { ...env, OS_PASSWORD: wrongPassword } }),
      }),
    );
    await failure(
      resolveCloudCredentials({
        env: {
          ...env,
          OS_PASSWORD: password,
          OS_PROJECT_DOMAIN_ID: undefined,
          OS_INTERFACE: 'everywhere',
        },
      }),
    );
    await failure(
      connect(s, {
        logs,
        credentials: await resolveCloudCredentials({
          env: {
            OS_AUTH_URL: s.keystoneUrl,
            OS_AUTH_TYPE: 'v3applicationcredential',
            OS_APPLICATION_CREDENTIAL_ID: applicationCredential.id,
            OS_APPLICATION_CREDENTIAL_SECRET: wrongSecret,
          },
        }),
      }),
    );
    await failure(
      connect(s, {
        logs,
        credentials: await resolveCloudCredentials({
          env: { ...env, OS_PASSWORD: password, OS_INSECURE: 'true', OS_REGION_NAME: 'Nowhere' },
        }),
      }),
    );
    said.push(...logs.lines);

    const everything = said.join('\n');
    // The capture worked: it holds the retries, the failures and the insecure warning.
    expect(everything).toMatch(/retrying in/);
    expect(everything).toMatch(/rejected the credentials/);
    expect(everything).toMatch(/INSECURE/);
    for (const secret of [password, applicationCredential.secret, wrongPassword, wrongSecret])
      expect(everything).not.toContain(secret);
    // Keystone's tokens (Fernet-style here) in any form.
    expect(everything).not.toMatch(/gAAAAA[0-9a-f]{8}/);
  });
});
