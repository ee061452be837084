import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { eventually } from './broker.js';

const run = promisify(execFile);

/** A throw-away CA and a server certificate for localhost / 127.0.0.1 (openssl). */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: Buffer;
  remove(): void;
}

/** Makes a CA and a server certificate signed by it. */
export async function createPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-pki-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=hub-test-ca',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('server.pem'),
  );
  return {
    dir,
    caFile: at('ca.pem'),
    certFile: at('server.pem'),
    keyFile: at('server.key'),
    ca: readFileSync(at('ca.pem')),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local TLS listener in front of a plain TCP service (TLS termination, as a load balancer does). */
export async function tlsTerminator(
  pki: TestPki,
  targetPort: number,
): Promise<{ port: number; close(): void }> {
  const server: Server = createTlsServer(
    { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
    (client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () => {
      server.close();
    },
  };
}

/** A second MariaDB server with TLS on its own port and data directory (mariadb-install-db). */
export async function startTlsMariadb(
  pki: TestPki,
  port: number,
): Promise<{ stop(): Promise<void> }> {
  const data = join(pki.dir, 'mariadb');
  mkdirSync(data);
  await run(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { timeout: 60_000 },
  );
  // not a hub process: a MariaDB server with TLS
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--user=root',
      `--port=${String(port)}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(pki.dir, 'mariadb.sock')}`,
      `--pid-file=${join(pki.dir, 'mariadb.pid')}`,
      `--ssl-ca=${pki.caFile}`,
      `--ssl-cert=${pki.certFile}`,
      `--ssl-key=${pki.keyFile}`,
      '--skip-log-bin',
    ],
    { stdio: 'ignore' },
  );
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => {
          resolve(false);
        });
      }),
    30_000,
    'the TLS MariaDB to listen',
  );
  return {
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
