// What the BMC tests drive the simulated BMCs with: a fake world that owns the power, curl as an
// independent Redfish client, and the real ipmitool.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  BmcEndpoints,
  BmcFleet,
  BmcFleetOptions,
  BmcHostSpec,
  BmcProtocol,
  HostPowerPort,
  IpmiEndpoint,
  PowerState,
  RedfishEndpoint,
} from '../../../simulator/bmc/bmc-contract.ts';
import { startBmcFleet } from '../../../simulator/bmc/index.ts';
import { pollUntil } from '../../../lib/poll-until.ts';

export interface FakeWorld {
  power: HostPowerPort;
  states: Map<string, PowerState>;
  commands: { host: string; state: PowerState; via: BmcProtocol }[];
}

export function fakeWorld(hosts: readonly string[]): FakeWorld {
  const states = new Map<string, PowerState>(hosts.map((host) => [host, 'On']));
  const commands: FakeWorld['commands'] = [];
  return {
    states,
    commands,
    power: {
      powerState: (host) => states.get(host) ?? 'Off',
      setPower: (host, state, via) => {
        commands.push({ host, state, via });
        states.set(host, state);
      },
    },
  };
}

export function workDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lazarus-bmc-test-'));
}

export interface TestFleet {
  fleet: BmcFleet;
  world: FakeWorld;
  /** The fleet's workDir. */
  directory: string;
  endpointsOf: (host: string) => BmcEndpoints;
  ipmiOf: (host: string) => IpmiEndpoint;
}

/** A fleet over a fake world where every host starts On; a fast clock, 204 resets and TLS unless overridden. */
export async function startTestFleet(
  hosts: readonly BmcHostSpec[],
  options: Partial<Omit<BmcFleetOptions, 'power' | 'workDir'>> = {},
): Promise<TestFleet> {
  const world = fakeWorld(hosts.map((spec) => spec.host));
  const directory = await workDir();
  const fleet = await startBmcFleet(hosts, {
    power: world.power,
    timeScale: 1000,
    powerTransitionMs: 5000,
    redfishResponseStyle: '204',
    tls: true,
    workDir: directory,
    ...options,
  });
  const endpointsOf = (host: string) => {
    const endpoints = fleet.endpoints[host];
    if (!endpoints) throw new Error(`the fleet has no BMC for ${host}`);
    return endpoints;
  };
  const ipmiOf = (host: string) => {
    const { ipmi } = endpointsOf(host);
    if (!ipmi) throw new Error(`${host} has no IPMI BMC`);
    return ipmi;
  };
  return { fleet, world, directory, endpointsOf, ipmiOf };
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The Base registry MessageId of a DMTF error body, e.g. Base.1.22.ActionParameterMissing. */
export function messageIdOf(body: unknown): string | undefined {
  const error = (body as { error?: { '@Message.ExtendedInfo'?: { MessageId?: string }[] } }).error;
  return error?.['@Message.ExtendedInfo']?.[0]?.MessageId;
}

export interface HttpResult {
  /** curl's exit code: 0, or e.g. 7/35/56 when the connection failed, 60 when the certificate was not trusted. */
  curlExit: number;
  status: number;
  headers: Map<string, string>;
  body: unknown;
  stderr: string;
}

export interface RedfishCall {
  method?: string;
  body?: unknown;
  /** Basic auth with the endpoint's credentials unless a token or other credentials are given. */
  auth?: 'basic' | 'none' | { token: string } | { username: string; password: string };
  /** Trust the endpoint's CA bundle (default) or not. */
  trustCa?: boolean;
  maxTimeSeconds?: number;
}

/** One request with curl; credentials go through stdin (`-K -`), never the command line. */
export async function redfish(
  endpoint: RedfishEndpoint,
  path: string,
  call: RedfishCall = {},
): Promise<HttpResult> {
  const auth = call.auth ?? 'basic';
  const config: string[] = [];
  if (auth === 'basic') config.push(`user = "${endpoint.username}:${endpoint.password}"`);
  else if (auth !== 'none' && 'token' in auth)
    config.push(`header = "X-Auth-Token: ${auth.token}"`);
  else if (auth !== 'none') config.push(`user = "${auth.username}:${auth.password}"`);
  const args = [
    '--silent',
    '--show-error',
    '--include',
    '-K',
    '-',
    '-X',
    call.method ?? 'GET',
    '--max-time',
    String(call.maxTimeSeconds ?? 10),
  ];
  if (endpoint.caBundle !== undefined && call.trustCa !== false)
    args.push('--cacert', endpoint.caBundle);
  if (call.body !== undefined)
    args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(call.body));
  const result = await run('curl', [...args, `${endpoint.url}${path}`], {
    input: config.join('\n'),
  });
  return { curlExit: result.exitCode, stderr: result.stderr, ...parseHttp(result.stdout) };
}

function parseHttp(text: string): Pick<HttpResult, 'status' | 'headers' | 'body'> {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const rawBody = split < 0 ? '' : text.slice(split + 4);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = new Map(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  return {
    status: Number(statusLine.split(' ')[1] ?? 0),
    headers,
    body: rawBody === '' ? undefined : JSON.parse(rawBody),
  };
}

/**
 * `ipmitool -I lanplus -C 3 … -E` (docs/nova-and-bmc-facts.md#cipher-suite-and-timing); `-N 1 -R 1`
 * so an unanswered BMC fails in about 2 s.
 */
export function ipmitool(
  endpoint: IpmiEndpoint,
  args: readonly string[],
  password = endpoint.password,
): Promise<CommandResult> {
  return run(
    'ipmitool',
    [
      '-I',
      'lanplus',
      '-C',
      '3',
      '-N',
      '1',
      '-R',
      '1',
      '-H',
      endpoint.host,
      '-p',
      String(endpoint.port),
      '-U',
      endpoint.username,
      '-E',
      ...args,
    ],
    {
      env: { IPMI_PASSWORD: password },
    },
  );
}

/** Polls until `read` returns what `isDone` accepts; the test's own timeout bounds it. */
export async function eventually<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
): Promise<T> {
  // Boxed, so a value that is undefined can be the one accepted.
  const accepted = await pollUntil(
    'a value the test accepts',
    async () => {
      const value = await read();
      return isDone(value) ? { value } : undefined;
    },
    { timeoutMs: Infinity, intervalMs: 20 },
  );
  return accepted.value;
}
