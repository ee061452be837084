import { randomUUID } from 'node:crypto';
import type { HubMetrics } from '../metrics.js';
import { createConsumer, type Consumer, type ConsumerSpec } from './consumer.js';
import {
  createManagedConnection,
  declareTopology,
  type BrokerTls,
  type ManagedConnection,
} from './connection.js';
import { createPublisher, type Publisher } from './publisher.js';
import {
  declareControl,
  subscribeControl,
  CONTROL_EXCHANGE,
  type ControlMessage,
} from './control.js';
import { createRpcClient, type RpcClient } from './rpc.js';
import {
  drainQueue,
  queueDepth,
  queueStats,
  unbindAll,
  type DrainedMessage,
  type DrainResult,
  type DrainTarget,
} from './queues.js';
import type { BindingDeclaration, Topology } from './topology.js';

export { BrokerUnreachableError, TopologyConflictError, type BrokerTls } from './connection.js';
export type { Delivery, Consumer, ConsumerSpec } from './consumer.js';
export type { Publisher, PublishProperties } from './publisher.js';
export {
  settle,
  type Republish,
  type Settled,
  type Settlement,
  type SettleOptions,
} from './settle.js';
export type { RpcClient, Reply, RequestOptions } from './rpc.js';
export { DEADLINE_HEADER } from './rpc.js';
export { probeBroker, type NodeProbe } from './probe.js';
export { CONTROL_EXCHANGE, type ControlMessage } from './control.js';
export { brokerUrls } from './connection.js';
export type { DrainedMessage, DrainResult, DrainTarget } from './queues.js';
export * from './topology.js';

export interface BrokerOptions {
  readonly url: string;
  /** TLS material for amqps:// URLs. */
  readonly tls?: BrokerTls | undefined;
  /** Names the connections in the management UI (`hub`, `hub-test`, …). */
  readonly name: string;
  readonly metrics?: HubMetrics | undefined;
  readonly publishTimeoutMs?: number;
}

/**
 * The broker layer: the only module that talks to RabbitMQ. Two connections (publishing and
 * consuming, so publisher flow control never stalls acks), each reconnecting by itself and
 * re-declaring the topology before anything else resumes.
 */
export interface Broker {
  readonly publisher: Publisher;
  /** Connects both connections and declares the topology; rejects with BrokerUnreachableError. */
  start(): Promise<void>;
  /** Replaces the declared topology (route recompilation) and declares it now. */
  declare(topology: Topology): Promise<void>;
  /**
   * Adds the queues and bindings of a hub service (not a route: e.g. the 転入通知 timer), declared
   * now and with every later topology, also after a reconnect.
   */
  declareService(service: Topology): Promise<void>;
  /** Removes bindings (a deploy's retired steps); a missing binding or queue is no error. */
  unbind(bindings: readonly BindingDeclaration[]): Promise<void>;
  /** Messages ready in a queue; undefined when it does not exist. */
  queueDepth(queue: string): Promise<number | undefined>;
  /** Ready messages and consumers per queue (queues that do not exist are left out). */
  queueStats(
    queues: readonly string[],
  ): Promise<Map<string, { messages: number; consumers: number }>>;
  /**
   * Moves a queue's messages one at a time where `target` says (publish confirmed, then ack);
   * stops at the first message that cannot be published, which stays in the queue.
   */
  drain(queue: string, target: (message: DrainedMessage) => DrainTarget): Promise<DrainResult>;
  consume(spec: ConsumerSpec): Promise<Consumer>;
  rpc(): Promise<RpcClient>;
  isConnected(): boolean;
  /** The cluster node the publishing connection is on (URL without password), when connected. */
  connectedTo(): string | undefined;
  /**
   * Listens to the control exchange (other replicas' announcements); called with `undefined` after
   * a reconnect, when announcements may have been missed.
   */
  onControl(listener: (message: ControlMessage | undefined) => void): Promise<void>;
  /** Announces to every replica (confirmed; nobody listening is no error). */
  announce(message: ControlMessage): Promise<void>;
  close(): Promise<void>;
}

/** Creates the broker layer; call `start()` before use. */
export function createBroker(options: BrokerOptions): Broker {
  const publishing: ManagedConnection = createManagedConnection({
    url: options.url,
    tls: options.tls,
    name: `${options.name}-publish`,
  });
  const consuming: ManagedConnection = createManagedConnection({
    url: options.url,
    tls: options.tls,
    name: `${options.name}-consume`,
  });
  let topology: Topology = { exchanges: [], queues: [], bindings: [] };
  const services: Topology[] = [];
  const withServices = (base: Topology): Topology => ({
    exchanges: [...base.exchanges, ...services.flatMap((service) => service.exchanges)],
    queues: [...base.queues, ...services.flatMap((service) => service.queues)],
    bindings: [...base.bindings, ...services.flatMap((service) => service.bindings)],
  });
  let publisher: Publisher | undefined;
  let rpcClient: RpcClient | undefined;

  // The topology is declared on the publishing connection; consumers wait for it after a reconnect.
  const declare = async (model: Parameters<typeof declareTopology>[0]) => {
    await declareTopology(model, withServices(topology));
  };

  return {
    get publisher(): Publisher {
      if (!publisher) throw new Error('broker not started');
      return publisher;
    },
    async start() {
      await publishing.addSetup(declare);
      await publishing.start();
      await consuming.addSetup(declare);
      await consuming.start();
      publisher = await createPublisher({
        connection: publishing,
        metrics: options.metrics,
        ...(options.publishTimeoutMs === undefined ? {} : { timeoutMs: options.publishTimeoutMs }),
      });
    },
    async declare(next) {
      topology = next;
      const model = await publishing.model(10_000);
      await declareTopology(model, withServices(topology));
    },
    async declareService(service) {
      services.push(service);
      const model = await publishing.model(10_000);
      await declareTopology(model, service);
    },
    async unbind(bindings) {
      if (bindings.length === 0) return;
      await unbindAll(await publishing.model(10_000), bindings);
    },
    async queueStats(queues) {
      return queueStats(await publishing.model(10_000), queues);
    },
    async queueDepth(queue) {
      return queueDepth(await publishing.model(10_000), queue);
    },
    async drain(queue, target) {
      if (!publisher) throw new Error('broker not started');
      return drainQueue(await consuming.model(10_000), publisher, queue, target);
    },
    consume: (spec) => createConsumer(consuming, spec),
    async rpc() {
      rpcClient ??= await createRpcClient(publishing);
      return rpcClient;
    },
    isConnected: () => publishing.isConnected() && consuming.isConnected(),
    connectedTo: () => publishing.connectedTo(),
    async onControl(listener) {
      await subscribeControl(consuming, listener);
    },
    async announce(message) {
      if (!publisher) throw new Error('broker not started');
      await declareControl(await publishing.model(10_000));
      await publisher.publish(CONTROL_EXCHANGE, '', Buffer.from(JSON.stringify(message)), {
        messageId: randomUUID(),
        type: 'hub.control',
        appId: 'hub',
        mandatory: false,
      });
    },
    async close() {
      await rpcClient?.close();
      await publisher?.close();
      await consuming.close();
      await publishing.close();
    },
  };
}
