import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, type Broker } from '../../hub/broker/index.js';
import { createEngine, type Engine } from '../../hub/engine/engine.js';
import type {
  EngineTransformer,
  MessageCatalogue,
  MyNumberPermission,
  OutboundMessage,
  Sink,
  StepSpec,
} from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import { createMetrics, type HubMetrics } from '../../hub/metrics.js';
import { openStore } from '../../hub/store/index.js';
import type { Store } from '../../hub/store/types.js';
import { testCatalogue, testTransformers } from './catalogue.js';

/** A fake external system for engine tests: records every delivery, can be told to fail. */
export interface RecordingSink extends Sink {
  readonly deliveries: { at: number; message: OutboundMessage }[];
  /** Distinct message ids applied (an idempotent receiver, as real connectors must be). */
  readonly applied: Map<string, OutboundMessage>;
  /** While set, every delivery throws this. */
  failWith: ConnectorError | undefined;
  /** Milliseconds each delivery takes. */
  delayMs: number;
}

/** Creates a recording sink for `system`. */
export function recordingSink(
  system = 'TEST_SYSTEM',
  allowsMyNumber: MyNumberPermission = false,
): RecordingSink {
  const sink: RecordingSink = {
    system,
    allowsMyNumber,
    deliveries: [],
    applied: new Map(),
    failWith: undefined,
    delayMs: 0,
    async deliver(message) {
      if (sink.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, sink.delayMs));
      sink.deliveries.push({ at: Date.now(), message });
      if (sink.failWith) throw sink.failWith;
      if (!sink.applied.has(message.messageId)) sink.applied.set(message.messageId, message);
    },
  };
  return sink;
}

/** A temporary SQLite store URL. */
export function tempSqliteUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'hub-engine-')), 'hub.sqlite')}`;
}

export interface HarnessOptions {
  readonly url: string;
  readonly dbUrl: string;
  readonly steps: readonly StepSpec[];
  readonly sinks?: readonly Sink[];
  readonly prefetch?: number;
  /** Wraps the store (fault injection around outcome recording). */
  readonly wrapStore?: (store: Store, broker: Broker) => Store;
  /** Default the test catalogue and transformers. */
  readonly catalogue?: MessageCatalogue;
  readonly transformers?: ReadonlyMap<string, EngineTransformer>;
  /** The configured 地方公共団体コード (default 131016). */
  readonly lgCode?: string;
  /** The steps' clock (default the system's). */
  readonly clock?: () => Date;
}

export interface Harness {
  readonly broker: Broker;
  readonly metrics: HubMetrics;
  readonly store: Store;
  readonly engine: Engine;
  stop(): Promise<void>;
}

/** Starts broker + store + engine with the test catalogue, as `startHub` does with the real one. */
export async function startEngine(options: HarnessOptions): Promise<Harness> {
  const metrics = createMetrics({ defaultMetrics: false });
  const broker = createBroker({ url: options.url, name: 'hub-test', metrics });
  await broker.start();
  const realStore = await openStore(options.dbUrl);
  const store = options.wrapStore ? options.wrapStore(realStore, broker) : realStore;
  const engine = createEngine({
    broker,
    store,
    catalogue: options.catalogue ?? testCatalogue(),
    transformers: options.transformers ?? testTransformers,
    sinks: new Map((options.sinks ?? []).map((sink) => [sink.system, sink])),
    metrics,
    hashSubject: (value) => createHmac('sha256', 'test-key').update(value).digest('base64url'),
    lgCode: options.lgCode ?? '131016',
    prefetch: options.prefetch ?? 32,
    clock: options.clock,
  });
  await engine.apply(options.steps);
  return {
    broker,
    metrics,
    store: realStore,
    engine,
    async stop() {
      await engine.stop(5_000).catch(() => undefined);
      await broker.close().catch(() => undefined);
      await realStore.close().catch(() => undefined);
    },
  };
}
