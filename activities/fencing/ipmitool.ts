// Runs the real ipmitool over IPMI v2 (lanplus), the way fence_ipmilan does
// (docs/nova-and-bmc-facts.md#cipher-suite-and-timing), with
// the password only in the child's IPMI_PASSWORD (-E): a command line is readable by every local
// user through ps and /proc, an environment is not.
import { spawn } from 'node:child_process';
import { LazarusError } from '../errors.ts';

export interface IpmitoolTarget {
  host: string;
  port: number;
  username: string;
  password: string;
  /**
   * RMCP+ cipher suite; 3 (HMAC-SHA1, AES) by default. Without -C, ipmitool asks the BMC, which
   * some never answer (docs/nova-and-bmc-facts.md#cipher-suite-and-timing).
   */
  cipherSuite: number;
  /** Kills ipmitool if a call takes longer. */
  commandTimeoutMs: number;
  /** The ipmitool executable; `ipmitool` on PATH by default. */
  executable: string;
}

/**
 * ipmitool's own retransmissions (-N seconds, -R retries): with these an unanswered BMC fails in
 * about 2 s (docs/nova-and-bmc-facts.md#cipher-suite-and-timing), -R 2 already takes 6 s; the
 * fencing loop's reads are the real retries.
 */
const RETRANSMIT_SECONDS = '1';
const RETRIES = '1';

/** What ipmitool -v prints when the BMC rejects the user name or the password (observed against ipmi_sim). */
const CREDENTIALS_REJECTED =
  /RAKP 2 HMAC is invalid|RAKP 2 message indicates an error : unauthorized name|RAKP \d message indicates an error : (invalid|unauthorized)/;
const NO_SESSION = 'Unable to establish IPMI v2 / RMCP+ session';

export function ipmiAddress(target: Pick<IpmitoolTarget, 'host' | 'port'>): string {
  return `${target.host}:${target.port}`;
}

/** Runs `ipmitool … <args>` and returns its stdout, or throws a typed error naming the BMC. */
export function runIpmitool(target: IpmitoolTarget, args: readonly string[]): Promise<string> {
  const argv = [
    '-I',
    'lanplus',
    '-C',
    String(target.cipherSuite),
    '-N',
    RETRANSMIT_SECONDS,
    '-R',
    RETRIES,
    '-H',
    target.host,
    '-p',
    String(target.port),
    '-U',
    target.username,
    '-E',
    '-v',
    ...args,
  ];
  const command = `ipmitool ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(target.executable, argv, {
      // Only what ipmitool needs: the worker's other secrets (OS_PASSWORD…) stay out of the child.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', IPMI_PASSWORD: target.password },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: target.commandTimeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      reject(
        new LazarusError(
          'ConfigurationInvalid',
          `cannot run ${target.executable} for the IPMI BMC at ${ipmiAddress(target)} (${error.message}); install ipmitool on the Lazarus worker`,
          { bmc: ipmiAddress(target) },
          { cause: error },
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          failure(
            target,
            command,
            stderr,
            signal === null ? `exit status ${code ?? 'unknown'}` : `killed by ${signal}`,
          ),
        );
    });
  });
}

function failure(
  target: IpmitoolTarget,
  command: string,
  stderr: string,
  how: string,
): LazarusError {
  const bmc = ipmiAddress(target);
  const lastLine =
    stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('Loading IANA'))
      .at(-1) ?? '';
  const details = { bmc, command, stderr: lastLine };
  if (CREDENTIALS_REJECTED.test(stderr)) {
    return new LazarusError(
      'BmcAuthenticationFailed',
      `IPMI BMC at ${bmc} rejected the credentials of user "${target.username}" (${command}: ${lastLine}); ` +
        "check the username and the password this host's BMC entry references (passwordEnv or passwordFile)",
      details,
    );
  }
  const why = how.startsWith('killed')
    ? `no answer within ${target.commandTimeoutMs} ms`
    : lastLine || how;
  const hint =
    stderr.includes(NO_SESSION) || how.startsWith('killed')
      ? `check that the BMC is powered, reachable over UDP from the Lazarus worker, and offers cipher suite ${target.cipherSuite}`
      : 'check the BMC';
  return new LazarusError(
    'BmcUnavailable',
    `IPMI BMC at ${bmc} failed ${command} (${why}); ${hint}`,
    details,
  );
}
