import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { replicas } from './store/replicas.js';
import { readTls, redactUrl, systemUrlVariable, type HubConfig } from './config.js';
import { createBroker, type Broker } from './broker/index.js';
import { createEngine, type Engine } from './engine/engine.js';
import type { Sink } from './engine/step.js';
import { authenticate, storeCredentials } from './http/auth.js';
import { createHttpServer, type HttpServer } from './http/server.js';
import { servicesFor, type HubPlugin, type HubServices } from './plugin.js';
import { defaultPlugins } from './plugins.js';
import { configureLogger, loggerFor } from './logger.js';
import { createMetrics, type HubMetrics } from './metrics.js';
import { loadKeyRing, type KeyRing } from './security/keys.js';
import { openStore } from './store/index.js';
import { systemPausesOf } from './store/system-pauses.js';
import { auditSink, SUPPORT_MEASURE_AUDIT } from './support-measures/audit.js';
import type { Store } from './store/types.js';
import { schemaRegistry } from '../schemas/registry.js';
import { transformers } from '../transformers/index.js';
import { defaultSinks } from '../connectors/index.js';
import { lintContext } from './nodered/context.js';
import { recipientsFrom, retiredQueueLine, startRouting, type Routing } from './nodered/routing.js';

/** Readiness of one dependency, as `/readyz` and `hub doctor` report it. */
export interface DependencyStatus {
  /** The core's three, and what a plugin reports (`file-drop`: a dropped file that cannot progress). */
  readonly name: 'broker' | 'store' | 'engine' | 'file-drop';
  readonly ok: boolean;
  /** Where it was tried (URL without password) and what is wrong, in English and Japanese. */
  readonly detail: string;
}

/** A running hub: the composition root's handle. */
export interface RunningHub {
  /** The port the HTTP server listens on (useful when HUB_HTTP_PORT=0). */
  readonly httpPort: number;
  readonly broker: Broker;
  readonly store: Store;
  readonly engine: Engine;
  /** The deployed flows the engine runs, deploys, and the queues deploys retired. */
  readonly routing: Routing;
  readonly http: HttpServer;
  readonly metrics: HubMetrics;
  readonly keyRing: KeyRing;
  /** Broker, store and engine readiness. */
  readiness(): Promise<DependencyStatus[]>;
  /** Graceful shutdown: stop consuming, finish or return in-flight messages, flush, close. */
  stop(): Promise<void>;
}

/**
 * What the composition root runs besides configuration: the connectors' sinks and plugins. The routes
 * are never given here: they are always compiled from the flows directory (HUB_FLOWS_DIR).
 */
export interface HubParts {
  readonly sinks?: readonly Sink[];
  /** Replaces the default plugin list (hub/plugins.ts), e.g. in tests. */
  readonly plugins?: readonly HubPlugin[];
}

/**
 * Bounds how far V8 lets the heap grow past the live data before collecting. By default V8 may let
 * the old generation reach several times the live size; a hub streaming a million-record file
 * allocates briskly while its live data stays small, so its RSS rose by ≈ 140 MB of garbage
 * (296 MB peak). At 50 % the peak was 182–190 MB at the same throughput (docs/benchmarks.md).
 * A flag given on the command line or in NODE_OPTIONS wins.
 */
function boundHeapGrowth(percent: number): void {
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((arg) =>
    arg.includes('heap-growing-percent'),
  );
  if (percent > 0 && !given) setFlagsFromString(`--heap-growing-percent=${String(percent)}`);
}

/**
 * Starts the hub: keys, store (migrations applied), broker (topology declared), engine routes,
 * HTTP. Anything that fails closes what was already opened, so a failed start leaves nothing behind.
 */
export async function startHub(config: HubConfig, parts: HubParts = {}): Promise<RunningHub> {
  configureLogger({ level: config.logLevel });
  boundHeapGrowth(config.heapGrowingPercent);
  // Log lines name the replica and host already (hub/logger.ts replicaFields).
  const host = hostname();
  const log = loggerFor('hub');
  const started = Date.now();
  const bootId = randomUUID();
  const cleanup: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const { keyRing, created } = loadKeyRing(config);
    if (created) {
      log.warn(
        { keyFile: config.secretKeyFile, keyId: keyRing.current.id },
        'demo mode: created a local secret key; set HUB_SECRET_KEY or HUB_SECRET_KEY_FILE in production',
      );
    }
    // The key ring follows the key file (a rotation by `hub keys rotate`, here or on another host
    // sharing the file): checked every HUB_KEY_RELOAD_MS and at once on SIGHUP.
    const reloadKeys = () => {
      keyRing.reload();
    };
    process.on('SIGHUP', reloadKeys);
    cleanup.push(() => {
      process.off('SIGHUP', reloadKeys);
      return Promise.resolve();
    });
    if (config.keyReloadMs > 0 && config.secretKey === undefined) {
      const timer = setInterval(() => keyRing.refresh(), config.keyReloadMs);
      timer.unref();
      cleanup.push(() => {
        clearInterval(timer);
        return Promise.resolve();
      });
    }
    const metrics = createMetrics({ replica: { id: config.replicaId, host } });
    const store = await openStore(config.dbUrl, {
      ...(config.dbTls.ca === undefined && config.dbTls.cert === undefined
        ? {}
        : { tls: readTls(config.dbTls) }),
      onBatch: (size) => {
        metrics.outcomeBatchSize.observe(size);
      },
    });
    cleanup.push(() => store.close());
    const broker = createBroker({
      url: config.amqpUrl,
      name: 'hub',
      metrics,
      tls: readTls(config.amqpTls),
    });
    await broker.start();
    cleanup.push(() => broker.close());
    const sinks = new Map((parts.sinks ?? defaultSinks(config)).map((sink) => [sink.system, sink]));
    // The hub's own 支援措置 audit, delivered to like a system (hub/support-measures/audit.ts).
    sinks.set(
      SUPPORT_MEASURE_AUDIT,
      auditSink(store, () => keyRing.hasher()),
    );
    if (parts.sinks === undefined) {
      for (const system of sinks.keys()) {
        const url = (config.systemUrls as Readonly<Record<string, string | undefined>>)[system];
        if (url !== undefined) log.info({ system, url: redactUrl(url) }, 'system endpoint');
        else if (config.mode === 'production')
          log.warn(
            { system, variable: systemUrlVariable(system) },
            'no endpoint configured: deliveries go to the local simulator address / 連携先 URL が未設定です（シミュレータのアドレスに送信します）',
          );
      }
    }
    const engine = createEngine({
      broker,
      store,
      catalogue: schemaRegistry(),
      transformers,
      sinks,
      metrics,
      // Asked per message: after a rotation, new hashes are made under the new current key.
      hashSubject: (value) => keyRing.hasher().hash('subject', value),
      hashTrace: (kind, value) => keyRing.hasher().hash(`trace.${kind}`, value),
      lgCode: config.lgCode,
      prefetch: config.prefetch,
      claimOwner: `${config.replicaId}/${bootId}`,
      claimLeaseMs: config.claimLeaseMs,
    });
    // The engine's consumers stop before anything else closes, also when the routing fails to start.
    cleanup.push(() => engine.stop(config.shutdownTimeoutMs));
    // Systems paused for a maintenance window stay paused across a restart: held before any
    // consumer starts (hub/health/pauses.ts; the health plugin follows later changes).
    await engine.holdSystems(
      new Set((await systemPausesOf(store).list()).map((pause) => pause.system)),
    );
    const catalogue = schemaRegistry();
    const routing = await startRouting({
      flowsDir: config.flowsDir,
      engine,
      broker,
      store,
      // Linted against the sinks this hub has, so the flows can only name systems it can reach.
      context: lintContext([...sinks.values()]),
      recipients: recipientsFrom(catalogue.list()),
      replicaId: config.replicaId,
    });
    // Deploys on other replicas: announced on the control exchange, checked again with every
    // heartbeat (an announcement missed while disconnected, or a replica started meanwhile).
    const catchUp = () => {
      routing.catchUp().catch((error: unknown) => {
        log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'flows version check failed; will retry',
        );
      });
    };
    await broker.onControl((message) => {
      if (message === undefined || message.version > routing.version()) catchUp();
    });
    const replicaRows = replicas(store);
    const startedAt = new Date();
    const beat = async () => {
      await replicaRows.beat({
        replicaId: config.replicaId,
        host,
        pid: process.pid,
        flowsVersion: routing.version(),
        brokerNode: broker.connectedTo() ?? null,
        startedAt,
      });
    };
    await beat().catch(() => undefined);
    const heartbeat = setInterval(() => {
      beat().catch(() => undefined);
      catchUp();
    }, config.heartbeatMs);
    heartbeat.unref();
    cleanup.push(() => {
      clearInterval(heartbeat);
      return Promise.resolve();
    });
    const startup = { done: false };
    // Plugins that can stop making progress without the core noticing report here (PluginHandle).
    const pluginReadiness: (() => DependencyStatus[])[] = [];
    const readiness = async (): Promise<DependencyStatus[]> => {
      const brokerOk = broker.isConnected();
      let storeDetail = `${store.kind} store reachable`;
      let storeOk = true;
      try {
        await store.ping();
      } catch (error) {
        storeOk = false;
        storeDetail = `store unreachable: ${error instanceof Error ? error.message : 'unknown error'}`;
      }
      let retiredNote = '';
      if (brokerOk && storeOk) {
        const waiting = (await routing.retiredQueues().catch(() => [])).filter(
          (queue) => (queue.messages ?? 0) > 0,
        );
        if (waiting.length > 0) retiredNote = `; ${waiting.map(retiredQueueLine).join('; ')}`;
      }
      return [
        {
          name: 'broker',
          ok: brokerOk,
          detail: brokerOk
            ? `connected to ${broker.connectedTo() ?? redactUrl(config.amqpUrl)}`
            : `not connected to ${redactUrl(config.amqpUrl)}; reconnecting / 再接続中`,
        },
        { name: 'store', ok: storeOk, detail: storeDetail },
        {
          name: 'engine',
          ok: startup.done,
          detail: startup.done
            ? `${String(engine.steps().length)} route steps running${retiredNote}`
            : 'starting: plugins not started yet / 起動中',
        },
        // Shown only when something is wrong, so the usual answer keeps its three entries.
        ...pluginReadiness.flatMap((report) => report()).filter((status) => !status.ok),
      ];
    };
    const credentials = storeCredentials(store, {
      limits: {
        clientBurst: config.loginClientAttempts,
        userBurst: config.loginUserAttempts,
      },
      onSignIn: (result) => {
        metrics.signIns.inc({ result });
      },
    });
    const http = await createHttpServer({
      port: config.httpPort,
      host: config.httpHost,
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      readiness,
      replica: () => ({ id: config.replicaId, host, flowsVersion: routing.version() }),
      metrics: metrics.registry,
      metricsGuard: [authenticate(credentials)],
    });
    cleanup.push(() => http.close());
    const services: HubServices = {
      config,
      store,
      broker,
      engine,
      routing,
      app: http.app,
      server: http.server,
      credentials,
      keyRing,
      metrics,
      catalogue: schemaRegistry(),
    };
    for (const plugin of parts.plugins ?? defaultPlugins) {
      const handle = await plugin.start(servicesFor(services, plugin.needs));
      cleanup.push(() => handle.stop());
      if (handle.readiness !== undefined) pluginReadiness.push(handle.readiness.bind(handle));
      log.info({ plugin: plugin.name }, 'plugin started');
    }
    // Ready only now: /readyz answers 200 once everything `hub start` runs is running.
    startup.done = true;
    // The catalogue compiles each schema on its first use (issue 23: compiling all at start was a
    // quarter of the start); the rest are compiled now, one per event-loop turn, so the first
    // message of a type does not pay for it. A schema that does not compile is a build defect that
    // the tests catch (schemas/registry.test.ts compiles all); here it is logged by name.
    schemaRegistry()
      .compileAll()
      .catch((error: unknown) => {
        log.error(
          { err: error instanceof Error ? error.message : 'unknown' },
          'a message schema did not compile',
        );
      });
    log.info(
      {
        httpPort: http.port,
        store: store.kind,
        steps: engine.steps().length,
        flowsVersion: routing.version(),
        ms: Date.now() - started,
      },
      'hub ready',
    );
    let stopping: Promise<void> | undefined;
    return {
      httpPort: http.port,
      broker,
      store,
      engine,
      routing,
      http,
      metrics,
      keyRing,
      readiness,
      stop() {
        stopping ??= (async () => {
          log.info('hub stopping: finishing in-flight messages');
          await unwind();
          log.info('hub stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
