/**
 * The three-node RabbitMQ cluster the scale-out tests run against (issue 22): hub1..hub3@localhost on
 * 127.0.0.1:5681–5683, started by test/cluster/start.sh (which `.ci/run` calls before `npm test`).
 * When it is not running, `ensureCluster` starts it with that script (a fresh machine, `npm test`
 * alone); when it cannot (not root, no RabbitMQ), the test FAILS with the reason — never a skip.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const clusterPorts = [5681, 5682, 5683] as const;
export const clusterNodes = ['hub1@localhost', 'hub2@localhost', 'hub3@localhost'] as const;
const startScript = resolve(import.meta.dirname, '../cluster/start.sh');

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.once('connect', () => {
      finish(true);
    });
    socket.once('timeout', () => {
      finish(false);
    });
    socket.once('error', () => {
      finish(false);
    });
  });
}

/** rabbitmqctl against one node of the test cluster (as the rabbitmq user, like the script). */
export async function clusterCtl(node: number, ...args: string[]): Promise<string> {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const { stdout } = await run(
    'su',
    [
      'rabbitmq',
      '-s',
      '/bin/sh',
      '-c',
      `cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 /usr/lib/rabbitmq/bin/rabbitmqctl -q -n hub${String(node)}@localhost ${quoted}`,
    ],
    { timeout: 120_000 },
  );
  return stdout;
}

let ensured: Promise<void> | undefined;

/** Makes sure the three nodes answer; starts them with test/cluster/start.sh when they do not. */
export function ensureCluster(): Promise<void> {
  ensured ??= (async () => {
    const open = await Promise.all(clusterPorts.map(portOpen));
    if (open.every(Boolean)) return;
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the three-node test cluster is not running on 127.0.0.1:5681-5683 and starting it needs root: run `sudo test/cluster/start.sh` (or `.ci/run`) first',
      );
    }
    try {
      await run(startScript, [], { timeout: 180_000 });
    } catch (error) {
      const detail =
        typeof error === 'object' && error !== null && 'stderr' in error
          ? String(error.stderr).slice(-2000)
          : String(error);
      throw new Error(`test/cluster/start.sh could not start the cluster: ${detail}`, {
        cause: error,
      });
    }
  })();
  return ensured;
}

/** A throw-away vhost on the cluster, and the comma-separated URLs of all three nodes for it. */
export interface ClusterVhost {
  readonly name: string;
  /** All three nodes, starting at `first` (1-based): HUB_AMQP_URL for a replica. */
  urls(first?: number): string;
  /** One node's URL. */
  url(node: number): string;
  delete(): Promise<void>;
}

export async function createClusterVhost(prefix: string): Promise<ClusterVhost> {
  await ensureCluster();
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await clusterCtl(1, 'add_vhost', name);
  await clusterCtl(1, 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  const url = (node: number) =>
    `amqp://guest:guest@127.0.0.1:${String(clusterPorts[node - 1])}/${encodeURIComponent(name)}`;
  return {
    name,
    url,
    urls(first = 1) {
      return [0, 1, 2].map((offset) => url(((first - 1 + offset) % 3) + 1)).join(',');
    },
    async delete() {
      await clusterCtl(1, 'delete_vhost', name).catch(() => undefined);
    },
  };
}
