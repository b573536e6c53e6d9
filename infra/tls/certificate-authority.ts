// A throwaway certificate authority made with the openssl CLI, and the certificates it signs: the
// simulated BMCs' server certificate, and the local cluster's mTLS certificates (infra/cluster/).
// Clients then verify them the way they verify real ones, with a CA bundle.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const VALID_DAYS = '30';
const KEY_ALGORITHM = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateAuthority {
  /** PEM file of the CA's certificate: the bundle clients and servers verify against. */
  cert: string;
  key: string;
  directory: string;
}

export interface IssuedCertificate {
  /** PEM files. */
  cert: string;
  key: string;
}

export interface CertificateRequest {
  /** Names the files: <name>.pem and <name>.key. */
  name: string;
  commonName: string;
  /** openssl subjectAltName entries, e.g. IP:127.0.0.1, DNS:localhost. */
  altNames?: readonly string[];
  /** What the certificate may prove: a server's name, a client's identity, or both (internode). */
  usage: readonly ('serverAuth' | 'clientAuth')[];
}

export async function createCertificateAuthority(
  directory: string,
  commonName: string,
): Promise<CertificateAuthority> {
  await mkdir(directory, { recursive: true });
  const ca = { cert: join(directory, 'ca.pem'), key: join(directory, 'ca.key'), directory };
  await openssl([
    'req',
    '-x509',
    ...KEY_ALGORITHM,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    VALID_DAYS,
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return ca;
}

export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
): Promise<IssuedCertificate> {
  const issued = {
    cert: join(ca.directory, `${request.name}.pem`),
    key: join(ca.directory, `${request.name}.key`),
  };
  const altNames = request.altNames ?? [];
  await openssl([
    'req',
    '-x509',
    ...KEY_ALGORITHM,
    '-keyout',
    issued.key,
    '-out',
    issued.cert,
    '-days',
    VALID_DAYS,
    '-subj',
    `/CN=${request.commonName}`,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    ...(altNames.length === 0 ? [] : ['-addext', `subjectAltName=${altNames.join(',')}`]),
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    `extendedKeyUsage=${request.usage.join(',')}`,
  ]);
  return issued;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(
      `openssl ${args[0] ?? ''} failed while making a TLS certificate (is the openssl package installed?): ${stderr}`,
    );
  }
}
