// A throwaway CA and one server certificate for 127.0.0.1 and localhost, made once per fleet with the
// openssl CLI, so clients can verify the simulated BMCs the way they verify real ones (with a CA bundle).
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const VALID_DAYS = '30';
const KEY_ALGORITHM = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface ServerCertificate {
  key: string;
  cert: string;
  /** PEM file of the CA that signed `cert`. */
  caBundle: string;
}

export async function createServerCertificate(directory: string): Promise<ServerCertificate> {
  await mkdir(directory, { recursive: true });
  const file = (name: string) => join(directory, name);
  await openssl([
    'req',
    '-x509',
    ...KEY_ALGORITHM,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    VALID_DAYS,
    '-subj',
    '/CN=Lazarus simulator BMC CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-x509',
    ...KEY_ALGORITHM,
    '-keyout',
    file('bmc.key'),
    '-out',
    file('bmc.pem'),
    '-days',
    VALID_DAYS,
    '-subj',
    '/CN=localhost',
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  const [key, cert] = await Promise.all([
    readFile(file('bmc.key'), 'utf8'),
    readFile(file('bmc.pem'), 'utf8'),
  ]);
  return { key, cert, caBundle: file('ca.pem') };
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(
      `openssl ${args[0] ?? ''} failed while making the simulated BMCs' TLS certificate (is the openssl package installed?): ${stderr}`,
    );
  }
}
