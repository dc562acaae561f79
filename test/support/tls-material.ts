// Throwaway TLS material for the TLS test, made with openssl: a CA, a broker certificate it
// signed (for localhost and 127.0.0.1), and a second CA that signed nothing the broker has.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsMaterial {
  dir: string;
  /** PEM files; the broker reads ca/cert/key, so they are world-readable (they protect nothing). */
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
  /** A CA that did not sign the broker's certificate. */
  otherCa: Buffer;
  remove(): void;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

async function selfSignedCa(cwd: string, name: string, subject: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject], cwd);
}

export async function createTlsMaterial(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-tls-'));
  await selfSignedCa(dir, 'ca', '/CN=warren throwaway test CA');
  await selfSignedCa(dir, 'other-ca', '/CN=warren unrelated CA');
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
    dir,
  );
  chmodSync(dir, 0o755);
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    ca: readFileSync(join(dir, 'ca.pem')),
    otherCa: readFileSync(join(dir, 'other-ca.pem')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
