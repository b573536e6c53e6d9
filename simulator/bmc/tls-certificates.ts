// A throwaway CA and one server certificate for 127.0.0.1 and localhost, made once per fleet, so
// clients can verify the simulated BMCs the way they verify real ones (with a CA bundle).
import { readFile } from 'node:fs/promises';
import {
  createCertificateAuthority,
  issueCertificate,
} from '../../infra/tls/certificate-authority.ts';

export interface ServerCertificate {
  key: string;
  cert: string;
  /** PEM file of the CA that signed `cert`. */
  caBundle: string;
}

export async function createServerCertificate(directory: string): Promise<ServerCertificate> {
  const ca = await createCertificateAuthority(directory, 'Lazarus simulator BMC CA');
  const issued = await issueCertificate(ca, {
    name: 'bmc',
    commonName: 'localhost',
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
    usage: ['serverAuth'],
  });
  const [key, cert] = await Promise.all([
    readFile(issued.key, 'utf8'),
    readFile(issued.cert, 'utf8'),
  ]);
  return { key, cert, caBundle: ca.cert };
}
