/**
 * The hub child of the affair-9 benchmark (bench/delivery-address.ts): the real hub core (startHub:
 * SQLite store, broker, engine; no plugins) with the shipped affair-9 flows and the real 市町村CS sink,
 * pointed at the parent's no-work CS. On `go` it publishes the registry's 送付先情報 manifest through
 * the ingress, as the 既存住基 connector does; `stats` answers its peak RSS (getrusage maxRSS). The
 * baseline child is bulk-child.ts's `baseline` mode (same reader, count only).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CardDeliveryAddressExtractReady } from '../schemas/types.gen.js';

/** Messages from the parent. */
export type ToDeliveryChild =
  | { readonly kind: 'go'; readonly manifest: CardDeliveryAddressExtractReady }
  | { readonly kind: 'stats' }
  | { readonly kind: 'stop' };

function send(message: unknown): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../hub/config.js');
  const { startHub } = await import('../hub/main.js');
  const { createIngress } = await import('../connectors/runtime/ingress.js');
  const { jukinetCsSink } = await import('../connectors/jukinet-cs/sink.js');
  const { kizonJukiSink } = await import('../connectors/kizon-juki/sink.js');
  const { shippedFlowsDir } = await import('../test/support/flows.js');
  const dataDir = process.env['BENCH_DATA_DIR'] ?? '';
  const csUrl = process.env['BENCH_CS_URL'] ?? '';
  const config = loadConfig({
    HUB_AMQP_URL: process.env['BENCH_AMQP_URL'],
    HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
    HUB_HTTP_PORT: '0',
    HUB_DATA_DIR: dataDir,
    HUB_FLOWS_DIR: shippedFlowsDir(['affair-9'], ['JUKINET_CS', 'KIZON_JUKI']),
    HUB_SIMULATORS: 'off',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    HUB_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
  });
  const exchangeDir = join(dataDir, 'exchange');
  const hub = await startHub(config, {
    sinks: [
      jukinetCsSink({ baseUrl: csUrl, exchangeDir, lgCode: config.lgCode }),
      // The acknowledgement step delivers to the registry; nothing reaches it in this benchmark.
      kizonJukiSink(csUrl),
    ],
    plugins: [],
  });
  const ingress = createIngress(() => hub.broker.publisher);
  process.on('message', (message: ToDeliveryChild) => {
    void (async () => {
      switch (message.kind) {
        case 'go': {
          const result = await ingress.publish(
            'KIZON_JUKI',
            'card.delivery-address.extract-ready',
            message.manifest,
            { eventKey: message.manifest.sha256 },
          );
          if (!result.accepted) throw new Error('the hub refused the manifest at the edge');
          send({ kind: 'published' });
          return;
        }
        case 'stats':
          send({ kind: 'stats', maxRss: process.resourceUsage().maxRSS * 1024 });
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

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
