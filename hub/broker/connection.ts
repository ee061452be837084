import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { hostname } from 'node:os';
import { redactUrl } from '../config.js';
import { HubError } from '../errors.js';
import { loggerFor } from '../logger.js';
import type { Topology } from './topology.js';

const log = loggerFor('broker');

/** The broker could not be reached at start. Names the URL (password hidden) and how to start one. */
export class BrokerUnreachableError extends HubError {
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const where = redactUrl(url);
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'HUB_BROKER_UNREACHABLE',
      `RabbitMQ is not reachable at ${where} (${why}). Start it with \`rabbitmq-server -detached\` or set HUB_AMQP_URL. / RabbitMQ に接続できません（${where}）。\`rabbitmq-server -detached\` で起動するか HUB_AMQP_URL を設定してください。`,
      'retry',
      { cause },
    );
    this.url = where;
  }
}

/** A queue already exists with other arguments; the broker refuses to redeclare it. */
export class TopologyConflictError extends HubError {
  constructor(detail: string, cause: unknown) {
    super(
      'HUB_TOPOLOGY_CONFLICT',
      `The broker refused the hub's topology: ${detail}. A queue or exchange exists with other arguments; inspect it with \`rabbitmqctl list_queues name arguments\` and delete it if it is obsolete. / ブローカーがトポロジ宣言を拒否しました（既存のキューの引数が異なります）。`,
      'dead-letter',
      { cause },
    );
  }
}

/** PEM material for amqps:// (the server certificate is always verified). */
export interface BrokerTls {
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/** Socket options for TLS: only for amqps:// URLs, and only what was given. */
export function tlsSocketOptions(url: string, tls: BrokerTls | undefined): Record<string, unknown> {
  if (tls === undefined || !url.startsWith('amqps:')) return {};
  return {
    rejectUnauthorized: true,
    ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
  };
}

/** The node URLs of `HUB_AMQP_URL`: one, or several cluster nodes separated by commas. */
export function brokerUrls(url: string): string[] {
  return url
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export interface ConnectionOptions {
  /** One node URL, or several nodes of one cluster separated by commas (tried in turn). */
  readonly url: string;
  readonly tls?: BrokerTls | undefined;
  /** Shown in the management UI's connection list. */
  readonly name: string;
  readonly heartbeatSeconds?: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Time allowed for the very first connection; past it start-up fails. */
  readonly connectTimeoutMs?: number;
}

/** The part of amqplib's internals `coalesceWrites` touches (checked at run time, not trusted). */
interface MuxInternals {
  _readIncoming?: unknown;
  out?: { cork?: unknown; uncork?: unknown };
}

/**
 * Makes amqplib write each batch of frames with one system call. amqplib's multiplexer already
 * gathers the frames of all channels once per event-loop turn, then writes them to the socket one
 * `write()` each — a publish, an ack, another publish: a system call per frame, the largest single
 * cost in the route-hop profile. Corking the socket for the length of that loop turns the batch into
 * one `writev`. Bytes and order are unchanged. If a future amqplib moves these internals, this does
 * nothing (and the hop is as fast as before).
 */
export function coalesceWrites(model: ChannelModel): boolean {
  const mux = (model as unknown as { connection?: { muxer?: MuxInternals } }).connection?.muxer;
  const readIncoming = mux?._readIncoming;
  const out = mux?.out;
  if (
    mux === undefined ||
    typeof readIncoming !== 'function' ||
    typeof out?.cork !== 'function' ||
    typeof out.uncork !== 'function'
  ) {
    return false;
  }
  const socket = out as { cork(): void; uncork(): void };
  mux._readIncoming = function corked(this: unknown, ...args: unknown[]): unknown {
    socket.cork();
    try {
      return (readIncoming as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      socket.uncork();
    }
  };
  return true;
}

/** Runs after every (re)connect: declare topology, open channels, resume consumers. */
export type SetupHook = (model: ChannelModel) => Promise<void>;

/**
 * One AMQP connection that reconnects by itself (exponential backoff with jitter) and replays its
 * setup hooks after every reconnect. `generation` changes on each connect, so a delivery can tell
 * whether the channel it came from is still the live one (acks on a dead channel are meaningless).
 */
export interface ManagedConnection {
  readonly name: string;
  /** Connects (first time); rejects with BrokerUnreachableError if the broker cannot be reached. */
  start(): Promise<void>;
  /** Registers a hook run now (if connected) and after every reconnect. */
  addSetup(hook: SetupHook): Promise<void>;
  removeSetup(hook: SetupHook): void;
  /** Resolves with the live connection, waiting for a reconnect up to `timeoutMs`. */
  model(timeoutMs: number): Promise<ChannelModel>;
  isConnected(): boolean;
  /** The node URL of the live connection (password hidden), if connected. */
  connectedTo(): string | undefined;
  generation(): number;
  /** Called with `true` on connect and `false` on loss. */
  onStateChange(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates a managed connection; nothing happens until `start()`. */
export function createManagedConnection(options: ConnectionOptions): ManagedConnection {
  const hooks: SetupHook[] = [];
  const listeners: ((connected: boolean) => void)[] = [];
  const waiters: (() => void)[] = [];
  let current: ChannelModel | undefined;
  let gen = 0;
  // Mutated from callbacks; kept in an object so control-flow narrowing does not assume it is stale.
  const state = { closing: false };
  const isClosing = () => state.closing;
  let reconnecting = false;

  const notify = (connected: boolean) => {
    for (const listener of listeners) listener(connected);
  };

  const urls = brokerUrls(options.url);
  // The node to try first: after a loss, the next one (the lost node is likely down).
  let nodeIndex = 0;
  let connectedUrl: string | undefined;

  /** Connects to the first node that answers, starting at `nodeIndex`; rejects with the last error. */
  async function connectAny(): Promise<ChannelModel> {
    let lastError: unknown = new Error('no broker URL');
    for (let tried = 0; tried < urls.length; tried += 1) {
      const index = (nodeIndex + tried) % urls.length;
      const url = urls[index] ?? '';
      try {
        const model = await connect(withHeartbeat(url, options.heartbeatSeconds ?? 15), {
          ...tlsSocketOptions(url, options.tls),
          noDelay: true, // without it every request/reply hop waits ≈ 40 ms for Nagle
          clientProperties: {
            connection_name: `${options.name}@${hostname()}`,
            product: 'juki-hub',
          },
          timeout: options.connectTimeoutMs ?? 10_000,
        });
        nodeIndex = index;
        connectedUrl = url;
        return model;
      } catch (error) {
        lastError = error;
        if (urls.length > 1)
          log.warn(
            { connection: options.name, node: redactUrl(url), err: errorText(error) },
            'broker node unreachable; trying the next',
          );
      }
    }
    throw lastError;
  }

  async function open(): Promise<ChannelModel> {
    const model = await connectAny();
    coalesceWrites(model);
    model.on('error', (error: Error) => {
      log.warn({ connection: options.name, err: error.message }, 'broker connection error');
    });
    model.on('blocked', (reason: string) => {
      log.warn({ connection: options.name, reason }, 'broker blocked publishing (resource alarm)');
    });
    model.on('close', () => {
      if (current !== model) return;
      current = undefined;
      // Fail over: the next attempt starts at the next node of the cluster.
      if (urls.length > 1) nodeIndex = (nodeIndex + 1) % urls.length;
      notify(false);
      if (!state.closing) {
        log.warn({ connection: options.name }, 'broker connection lost; reconnecting');
        void reconnect();
      }
    });
    try {
      for (const hook of hooks) await hook(model);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    return model;
  }

  function established(model: ChannelModel): void {
    current = model;
    gen += 1;
    notify(true);
    for (const wake of waiters.splice(0)) wake();
  }

  async function reconnect(): Promise<void> {
    if (reconnecting || state.closing) return;
    reconnecting = true;
    let delay = options.initialDelayMs ?? 200;
    const maxDelay = options.maxDelayMs ?? 5_000;
    try {
      while (!isClosing()) {
        await sleep(delay * (0.8 + Math.random() * 0.4));
        if (isClosing()) return;
        try {
          const model = await open();
          if (isClosing()) {
            await model.close().catch(() => undefined);
            return;
          }
          established(model);
          log.info({ connection: options.name, generation: gen }, 'broker reconnected');
          return;
        } catch (error) {
          log.warn(
            {
              connection: options.name,
              err: error instanceof Error ? error.message : String(error),
            },
            'broker reconnect failed; will retry',
          );
          delay = Math.min(maxDelay, delay * 2);
        }
      }
    } finally {
      reconnecting = false;
    }
  }

  return {
    name: options.name,
    async start() {
      let model: ChannelModel;
      try {
        model = await open();
      } catch (error) {
        if (error instanceof HubError) throw error;
        if (isPreconditionFailure(error)) throw new TopologyConflictError(errorText(error), error);
        throw new BrokerUnreachableError(options.url, error);
      }
      established(model);
    },
    async addSetup(hook) {
      hooks.push(hook);
      if (current) await hook(current);
    },
    removeSetup(hook) {
      const index = hooks.indexOf(hook);
      if (index >= 0) hooks.splice(index, 1);
    },
    async model(timeoutMs) {
      if (current) return current;
      if (state.closing) throw new Error(`connection ${options.name} is closed`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(wake);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`broker not connected after ${String(timeoutMs)} ms`));
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(wake);
      });
      const live = current as ChannelModel | undefined;
      if (!live) throw new Error('broker connection lost again');
      return live;
    },
    isConnected: () => current !== undefined,
    connectedTo: () =>
      current === undefined || connectedUrl === undefined ? undefined : redactUrl(connectedUrl),
    generation: () => gen,
    onStateChange(listener) {
      listeners.push(listener);
    },
    async close() {
      state.closing = true;
      const model = current;
      current = undefined;
      if (model) await model.close().catch(() => undefined);
    },
  };
}

/**
 * Replaces a queue an earlier version declared with other arguments, when it is idle: no message and
 * no consumer. Quorum queues refuse a conditional delete (`if-empty`), so the queue is first unbound
 * (a dead letter published meanwhile is returned to its publisher, which retries: mandatory
 * publishes), then checked, then deleted and declared anew; the bindings are declared after it.
 * Anything not idle is bound back and stops the start with what to do.
 */
async function replaceIdleQueue(
  channel: Channel,
  queue: { readonly name: string; readonly arguments: Readonly<Record<string, unknown>> },
  bindings: readonly { readonly exchange: string; readonly routingKey: string }[],
  refusal: unknown,
): Promise<void> {
  const { name } = queue;
  for (const binding of bindings)
    await channel.unbindQueue(name, binding.exchange, binding.routingKey);
  const { messageCount, consumerCount } = await channel.checkQueue(name);
  if (messageCount > 0 || consumerCount > 0) {
    for (const binding of bindings)
      await channel.bindQueue(name, binding.exchange, binding.routingKey);
    throw new TopologyConflictError(
      `${errorText(refusal)}; ${name} was declared by an earlier version and still holds ${String(messageCount)} message(s) with ${String(consumerCount)} consumer(s): let the earlier hub archive them, stop it, then start this one (an empty, unused ${name} is replaced by itself)`,
      refusal,
    );
  }
  await channel.deleteQueue(name);
  await channel.assertQueue(name, { durable: true, arguments: { ...queue.arguments } });
  log.warn(
    { queue: name },
    'queue declared by an earlier version replaced with the current arguments (it was empty and unused) / 旧版のキューを置き換えました',
  );
}

/** Declares the topology on a fresh channel; idempotent, so it runs after every reconnect. */
export async function declareTopology(model: ChannelModel, topology: Topology): Promise<void> {
  let channel: Channel;
  try {
    channel = await model.createChannel();
  } catch (error) {
    throw new Error(`could not open a channel to declare the topology: ${errorText(error)}`, {
      cause: error,
    });
  }
  channel.on('error', () => undefined);
  try {
    for (const exchange of topology.exchanges) {
      await channel.assertExchange(exchange.name, exchange.type, { durable: true });
    }
    for (const queue of topology.queues) {
      try {
        await channel.assertQueue(queue.name, { durable: true, arguments: { ...queue.arguments } });
      } catch (error) {
        if (queue.replaceWhenIdle !== true || !isPreconditionFailure(error)) throw error;
        // The broker closed the channel on the refusal: replace the queue on a new one.
        channel = await model.createChannel();
        channel.on('error', () => undefined);
        await replaceIdleQueue(
          channel,
          queue,
          topology.bindings.filter((binding) => binding.queue === queue.name),
          error,
        );
      }
    }
    for (const binding of topology.bindings) {
      await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
    }
  } catch (error) {
    if (isPreconditionFailure(error)) throw new TopologyConflictError(errorText(error), error);
    throw error;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Opens a confirm channel with error logging attached. */
export async function openConfirmChannel(
  model: ChannelModel,
  purpose: string,
): Promise<ConfirmChannel> {
  const channel = await model.createConfirmChannel();
  channel.on('error', (error: Error) => {
    log.warn({ channel: purpose, err: error.message }, 'broker channel error');
  });
  return channel;
}

/** Opens a plain channel with error logging attached. */
export async function openChannel(model: ChannelModel, purpose: string): Promise<Channel> {
  const channel = await model.createChannel();
  channel.on('error', (error: Error) => {
    log.warn({ channel: purpose, err: error.message }, 'broker channel error');
  });
  return channel;
}

/** Adds a heartbeat to the URL unless the operator set one: dead peers are noticed in seconds. */
function withHeartbeat(raw: string, seconds: number): string {
  try {
    const url = new URL(raw);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(seconds));
    return url.toString();
  } catch {
    return raw;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPreconditionFailure(error: unknown): boolean {
  return error instanceof Error && /PRECONDITION_FAILED|inequivalent arg/.test(error.message);
}
