/**
 * The naive Node-RED relay of the route-hop benchmark (bench/route-hop.ts), in its own process as an
 * integrator would run it: Node-RED 5 embedded (no editor, no HTTP) with `node-red-contrib-amqp`'s
 * nodes and one flow, `amqp in` (queue `nr.in`) → `amqp out` (topic exchange `nr.out`), every option
 * at its default. Those defaults are what makes it fast and what the hub does not do: the input is
 * consumed with `noAck` (acked on entry, no prefetch limit), the output is published without confirms
 * and not persistent, the queue is a classic one.
 *
 * Driven over IPC by the parent: it answers `ready` once Node-RED runs with no flow; on `go` it
 * deploys the relay flow (timing starts at the parent) and answers `deployed`; on `stop` it exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface NodeRed {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: {
    setFlows(
      flows: readonly Record<string, unknown>[],
      credentials: Record<string, Record<string, string>> | null,
      type: string,
    ): Promise<unknown>;
  };
}

/** Messages from the parent. */
export type ToRelay = { readonly kind: 'go' } | { readonly kind: 'stop' };
/** Messages to the parent. */
export type FromRelay =
  | { readonly kind: 'ready' }
  | { readonly kind: 'deployed' }
  | { readonly kind: 'error'; readonly message: string };

function send(message: FromRelay): void {
  process.send?.(message);
}

const amqpUrl = new URL(process.env['BENCH_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
const vhost = decodeURIComponent(amqpUrl.pathname.slice(1));
const userDir = mkdtempSync(join(tmpdir(), 'hub-bench-nodered-'));
const RED = createRequire(import.meta.url)('node-red') as NodeRed;

/** amqp-in → amqp-out, as the contrib node's editor creates them (defaults left as they are). */
const flow = [
  { id: 'relay-tab', type: 'tab', label: 'relay' },
  {
    id: 'relay-server',
    type: 'amqp-server',
    host: amqpUrl.hostname,
    port: amqpUrl.port || '5672',
    vhost,
    keepalive: '',
    usetls: false,
    usetopology: false,
    topology: '',
  },
  {
    id: 'relay-in',
    type: 'amqp in',
    z: 'relay-tab',
    source: '',
    topic: '',
    iotype: '4',
    ioname: 'nr.in',
    server: 'relay-server',
    wires: [['relay-out']],
  },
  {
    id: 'relay-out',
    type: 'amqp out',
    z: 'relay-tab',
    routingkey: 'test.item.forwarded',
    iotype: '3',
    ioname: 'nr.out',
    server: 'relay-server',
    wires: [],
  },
];

try {
  RED.init({
    httpAdminRoot: false,
    httpNodeRoot: false,
    userDir,
    // Only the contrib package's node file (its lib folder holds amqp.js and amqp.html).
    nodesDir: [join(import.meta.dirname, '..', 'node_modules', 'node-red-contrib-amqp', 'lib')],
    credentialSecret: 'bench',
    logging: { console: { level: 'error', metrics: false, audit: false } },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    telemetry: { enabled: false },
    externalModules: { autoInstall: false },
  });
  await RED.start();
  send({ kind: 'ready' });
} catch (error) {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

process.on('message', (message: ToRelay) => {
  if (message.kind === 'go') {
    RED.nodes
      .setFlows(
        flow,
        {
          'relay-server': {
            user: decodeURIComponent(amqpUrl.username),
            password: decodeURIComponent(amqpUrl.password),
          },
        },
        'full',
      )
      .then(
        () => {
          send({ kind: 'deployed' });
        },
        (error: unknown) => {
          send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
        },
      );
  } else {
    RED.stop()
      .catch(() => undefined)
      .finally(() => {
        rmSync(userDir, { recursive: true, force: true });
        process.exit(0);
      });
  }
});
