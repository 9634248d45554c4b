import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/*
 * A real RFC 3161 timestamp authority for tests: Debian's `openssl ts -reply`
 * behind a small HTTP server, with a CA and a TSA certificate
 * (extendedKeyUsage critical, timeStamping) made here with openssl.
 */

export interface OpensslTsa {
  url: string;
  /** The CA that issued the TSA's certificate, PEM: the trust anchor. */
  caPem: string;
  caFile: string;
  /** The TSA's own certificate, PEM. */
  tsaCertFile: string;
  /** Requests answered so far, and how many of the next ones to refuse with 503. */
  served: number;
  failNext: number;
  close(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export async function startOpensslTsa(dir: string): Promise<OpensslTsa> {
  mkdirSync(dir, { recursive: true });
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=Test Timestamp CA',
      '-days',
      '30',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'tsa.key'], dir);
  openssl(['req', '-new', '-key', 'tsa.key', '-subj', '/CN=Test TSA', '-out', 'tsa.csr'], dir);
  writeFileSync(
    join(dir, 'tsa.ext'),
    'extendedKeyUsage = critical, timeStamping\nbasicConstraints = CA:FALSE\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'tsa.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      'tsa.ext',
      '-out',
      'tsa.pem',
    ],
    dir,
  );
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `serial = ${join(dir, 'tsaserial')}`,
      `signer_cert = ${join(dir, 'tsa.pem')}`,
      `signer_key = ${join(dir, 'tsa.key')}`,
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );

  let request = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      tsa.served++;
      if (
        tsa.failNext > 0 ||
        req.method !== 'POST' ||
        req.headers['content-type'] !== 'application/timestamp-query'
      ) {
        tsa.failNext = Math.max(0, tsa.failNext - 1);
        res.writeHead(503).end('unavailable');
        return;
      }
      const query = join(dir, `q${++request}.tsq`);
      const reply = join(dir, `r${request}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      try {
        openssl(['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', query, '-out', reply], dir);
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(reply));
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tsa: OpensslTsa = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    tsaCertFile: join(dir, 'tsa.pem'),
    served: 0,
    failNext: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return tsa;
}

/** `openssl ts -verify` of a token over `data`, trusting `caFile`: true when openssl accepts it. */
export function opensslVerifies(dir: string, data: Buffer, token: Buffer, caFile: string): boolean {
  writeFileSync(join(dir, 'verify.data'), data);
  writeFileSync(join(dir, 'verify.tst'), token);
  try {
    openssl(
      ['ts', '-verify', '-data', 'verify.data', '-in', 'verify.tst', '-token_in', '-CAfile', caFile],
      dir,
    );
    return true;
  } catch {
    return false;
  }
}
