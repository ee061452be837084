/**
 * End-to-end harness: the real hub core (startHub: schema registry, transformers, engine, store on
 * SQLite) on its own vhost, with the project's connectors and simulators at free ports. Only the
 * external systems are fake, and they are the simulators the demo runs.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqp from 'amqplib';
import { loadConfig } from '../../hub/config.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import type { HubPlugin } from '../../hub/plugin.js';
import { connectorSinks } from '../../hub/nodered/context.js';
import {
  createIngress,
  simSystems,
  sinksFor,
  startSimulators,
  type SimSystem,
  type SimulatorSet,
} from '../../connectors/index.js';
import { configureLogger } from '../../hub/logger.js';
import { createVhost, rawConnection, type TestVhost } from '../support/broker.js';
import { flowsDirFor, shippedFlowsPath } from '../support/flows.js';
import { suiteLogFile } from '../support/setup.js';

/** A running end-to-end set-up. */
export interface E2e {
  readonly hub: RunningHub;
  /** Stops the hub and starts a new one on the same vhost, store, data folder and simulators. */
  restartHub(): Promise<void>;
  readonly sims: SimulatorSet;
  readonly vhost: TestVhost;
  readonly exchangeDir: string;
  /** The flows directory the hub runs (the checked-in one when no steps were given: never deploy to it). */
  readonly flowsDir: string;
  /** Base URL of a simulator. */
  url(system: SimSystem): string;
  /** GET /received of a simulator. */
  received(system: SimSystem): Promise<ReceivedList>;
  /** POST JSON to a simulator path. */
  post(system: SimSystem, path: string, body: unknown): Promise<unknown>;
  /** Dead letters so far (headers and body), read without removing them for good (any order). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Dead letters that are not in `before` (compared by message id and step). */
  newDeadLetters(before: readonly DeadLetter[]): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

/** What /received answers. */
export interface ReceivedList {
  readonly count: number;
  readonly messages: {
    messageId: string;
    messageType: string;
    correlationId?: string;
    body: Record<string, unknown>;
  }[];
}

/** One dead letter as a test sees it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly type: string;
  readonly reasonClass: string;
  readonly errorCode: string;
  readonly step: string;
  readonly body: string;
  /** The reason headers (x-hub-reason-ja / -en). */
  readonly reasonJa: string;
  readonly reasonEn: string;
}

/** Starts simulators and the hub with the given routes as flows (default: the shipped flows). */
export async function startE2e(
  options: {
    steps?: readonly StepSpec[];
    timeoutMs?: number;
    /** This hub's 地方公共団体コード (`HUB_LG_CODE`; two-city tests run two hubs). */
    lgCode?: string;
    /** Plugins started with the hub (default none). */
    plugins?: readonly HubPlugin[];
    /** Further `HUB_*` settings. */
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<E2e> {
  const vhost = await createVhost('hub-e2e');
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const exchangeDir = join(dataDir, 'exchange');
  const flowsDir =
    options.steps === undefined ? shippedFlowsPath : flowsDirFor(options.steps, connectorSinks());
  let hub: RunningHub | undefined;
  const ingress = createIngress(() => {
    if (!hub) throw new Error('the hub is not running yet');
    return hub.broker.publisher;
  });
  const sims = await startSimulators({
    ingress,
    exchangeDir,
    ports: Object.fromEntries(simSystems.map((system) => [system, 0])),
  });
  const config = loadConfig({
    HUB_AMQP_URL: vhost.url,
    HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
    HUB_HTTP_PORT: '0',
    HUB_DATA_DIR: dataDir,
    // The hub runs only flows: the shipped ones, or the test's steps written as flows.
    HUB_FLOWS_DIR: flowsDir,
    HUB_SIMULATORS: 'off',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    ...(options.lgCode === undefined ? {} : { HUB_LG_CODE: options.lgCode }),
    ...options.env,
  });
  const startOne = () =>
    startHub(config, {
      sinks: sinksFor({
        urls: sims.urls(),
        exchangeDir,
        lgCode: config.lgCode,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
      plugins: options.plugins ?? [],
    });
  const keepLog = () => {
    // startHub points the logger at stdout; keep the suite's log file (scanned for My Numbers) instead.
    configureLogger({
      level: 'debug',
      destination: createWriteStream(suiteLogFile, { flags: 'a' }),
    });
  };
  try {
    hub = await startOne();
  } catch (error) {
    await sims.stop();
    await vhost.delete();
    throw error;
  }
  keepLog();
  let running = hub;
  let connection: amqp.ChannelModel | undefined;
  const url = (system: SimSystem) => sims.urls()[system];
  async function deadLetters(): Promise<DeadLetter[]> {
    connection ??= await rawConnection(vhost.url);
    const channel = await connection.createChannel();
    const letters: DeadLetter[] = [];
    try {
      // Read everything, then nack all back so later reads see them again.
      for (;;) {
        const message = await channel.get('hub.dead-letters', { noAck: false });
        if (message === false) break;
        const headers = message.properties.headers ?? {};
        const text = (name: string) => {
          const value: unknown = headers[name];
          return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : '';
        };
        letters.push({
          messageId: String(message.properties.messageId ?? ''),
          type: String(message.properties.type ?? ''),
          reasonClass: text('x-hub-reason-class'),
          errorCode: text('x-hub-error-code'),
          step: text('x-hub-original-queue') || text('x-hub-step'),
          body: message.content.toString('utf8'),
          reasonJa: text('x-hub-reason-ja'),
          reasonEn: text('x-hub-reason-en'),
        });
      }
    } finally {
      await channel.close();
    }
    return letters;
  }
  return {
    get hub() {
      return running;
    },
    async restartHub() {
      await running.stop();
      hub = undefined;
      running = await startOne();
      hub = running;
      keepLog();
    },
    sims,
    vhost,
    exchangeDir,
    flowsDir,
    url,
    async received(system) {
      const response = await fetch(`${url(system)}/received`);
      return (await response.json()) as ReceivedList;
    },
    async post(system, path, body) {
      const response = await fetch(`${url(system)}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`${system}${path}: HTTP ${String(response.status)} ${text}`);
      return JSON.parse(text) as unknown;
    },
    deadLetters,
    async newDeadLetters(before) {
      const seen = new Set(before.map((letter) => `${letter.messageId}|${letter.step}`));
      return (await deadLetters()).filter(
        (letter) => !seen.has(`${letter.messageId}|${letter.step}`),
      );
    },
    async stop() {
      await connection?.close().catch(() => undefined);
      await running.stop();
      await sims.stop();
      await vhost.delete();
    },
  };
}
