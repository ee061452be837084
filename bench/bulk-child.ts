/**
 * The child process of the bulk benchmark (bench/bulk.ts), so that its peak RSS is the hub's own and
 * not the benchmark runner's. Two modes, driven over IPC by the parent:
 *
 * - `hub`: the real hub core (startHub: store on SQLite, broker, engine, HTTP; no editor or other
 *   plugins, as the e2e tests run it) with the affair-8 routes and the real 市町村CS sink, pointed at
 *   the parent's no-work CS. On `go` it publishes the extract manifest through the registry
 *   connector's ingress, exactly as the 既存住基 connector does.
 * - `baseline`: on `go` it streams the same extract with the same reader (JSON lines, `JSON.parse`)
 *   and counts the records; nothing else.
 *
 * Both answer `stats` with their peak RSS (getrusage maxRSS: the high-water mark of the whole
 * process, start-up included) and `stop` by exiting.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { JukinetConsistencyCheckExtractReady } from '../schemas/types.gen.js';

/** Messages from the parent. */
export type ToChild =
  | { readonly kind: 'go'; readonly manifest: JukinetConsistencyCheckExtractReady }
  | { readonly kind: 'stats' }
  | { readonly kind: 'stop' };

/** Messages to the parent. */
export type FromChild =
  | { readonly kind: 'ready'; readonly rss: number }
  /** hub: the manifest is on the broker (the parent's CS sees when the file is through). */
  | { readonly kind: 'published' }
  /** baseline: the file is read. */
  | { readonly kind: 'done'; readonly records: number }
  | { readonly kind: 'stats'; readonly maxRss: number; readonly rss: number }
  | { readonly kind: 'error'; readonly message: string };

function send(message: FromChild): void {
  process.send?.(message);
}

function peak(): FromChild {
  return {
    kind: 'stats',
    maxRss: process.resourceUsage().maxRSS * 1024,
    rss: process.memoryUsage().rss,
  };
}

/**
 * The hub's modules: the sources (run through tsx) or, with BENCH_HUB_ROOT, the compiled build that
 * production runs (dist/, this file then run by Node's own type stripping, without tsx).
 */
async function hubModule<T>(path: string): Promise<T> {
  const root = process.env['BENCH_HUB_ROOT'];
  return (await import(
    root === undefined ? new URL(`../${path}`, import.meta.url).href : new URL(path, root).href
  )) as T;
}

async function hubMode(): Promise<void> {
  const { loadConfig } = await hubModule<typeof import('../hub/config.js')>('hub/config.js');
  const { startHub } = await hubModule<typeof import('../hub/main.js')>('hub/main.js');
  const { createIngress } = await hubModule<typeof import('../connectors/runtime/ingress.js')>(
    'connectors/runtime/ingress.js',
  );
  const { jukinetCsSink } = await hubModule<typeof import('../connectors/jukinet-cs/sink.js')>(
    'connectors/jukinet-cs/sink.js',
  );
  const { kizonJukiSink } = await hubModule<typeof import('../connectors/kizon-juki/sink.js')>(
    'connectors/kizon-juki/sink.js',
  );
  const { publishExtractReady } = await hubModule<
    typeof import('../connectors/kizon-juki/ingress.js')
  >('connectors/kizon-juki/ingress.js');
  const dataDir = process.env['BENCH_DATA_DIR'] ?? '';
  const csUrl = process.env['BENCH_CS_URL'] ?? '';
  const config = loadConfig({
    HUB_AMQP_URL: process.env['BENCH_AMQP_URL'],
    HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
    HUB_HTTP_PORT: '0',
    HUB_DATA_DIR: dataDir,
    // The shipped affair-8 flows, with the two systems this benchmark has sinks for (the parent
    // writes them: the helper is a test module, not part of the build).
    HUB_FLOWS_DIR: process.env['BENCH_FLOWS_DIR'],
    HUB_SIMULATORS: 'off',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    HUB_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
  });
  const exchangeDir = join(dataDir, 'exchange');
  const hub = await startHub(config, {
    sinks: [
      jukinetCsSink({ baseUrl: csUrl, exchangeDir, lgCode: config.lgCode }),
      // The affair-8 result steps deliver to the registry; nothing reaches them in this benchmark.
      kizonJukiSink(csUrl),
    ],
    plugins: [],
  });
  const ingress = createIngress(() => hub.broker.publisher);
  process.on('message', (message: ToChild) => {
    void (async () => {
      switch (message.kind) {
        case 'go': {
          const result = await publishExtractReady(ingress, message.manifest);
          if (!result.accepted) throw new Error('the hub refused the manifest at the edge');
          send({ kind: 'published' });
          return;
        }
        case 'stats':
          send(peak());
          return;
        case 'stop':
          await hub.stop();
          process.exit(0);
      }
    })().catch((error: unknown) => {
      send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  send({ kind: 'ready', rss: process.memoryUsage().rss });
}

async function baselineMode(): Promise<void> {
  const { pathOfRef, readJsonLines } = await hubModule<
    typeof import('../connectors/runtime/files.js')
  >('connectors/runtime/files.js');
  process.on('message', (message: ToChild) => {
    void (async () => {
      switch (message.kind) {
        case 'go': {
          let records = 0;
          for await (const record of readJsonLines(pathOfRef(message.manifest.fileRef))) {
            if (record !== null) records += 1;
          }
          send({ kind: 'done', records });
          return;
        }
        case 'stats':
          send(peak());
          return;
        case 'stop':
          process.exit(0);
      }
    })().catch((error: unknown) => {
      send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  send({ kind: 'ready', rss: process.memoryUsage().rss });
}

const mode = process.argv[2];
(mode === 'hub' ? hubMode() : baselineMode()).catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
