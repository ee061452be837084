/**
 * The editor's debug tap: a small classic queue bound to the message types the routes take, holding
 * at most the last 50 messages (drop-head) and removed by the broker seconds after the hub stops.
 * What the editor sees is masked here, before it leaves the hub — never a raw My Number, name or
 * address — and only kept in memory.
 */
import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE, settle, type Consumer, type Topology } from '../broker/index.js';
import { topologyFor } from '../engine/engine.js';
import type { HubServices } from '../plugin.js';
import { maskValue } from '../security/mask.js';

/** One sampled message, masked. */
export interface TapSample {
  readonly at: string;
  readonly messageType: string;
  readonly messageId: string;
  readonly body: unknown;
}

/** A tap attached to the broker. */
export interface TapHandle {
  rebind(): Promise<void>;
  close(): Promise<void>;
}

/** The tap: samples for the sidebar, and attaching to the broker. */
export interface Tap {
  samples(): TapSample[];
  /** Adds a sample (masked here); the broker consumer calls it. */
  record(messageType: string, messageId: string, content: Buffer): void;
  /** Starts sampling the message types the engine's steps take; `rebind` after routes change. */
  attach(context: Pick<HubServices, 'broker' | 'engine'>): Promise<TapHandle>;
}

const keep = 50;

/** Creates an empty tap. */
export function createTap(): Tap {
  const ring: TapSample[] = [];
  const tap: Tap = {
    samples: () => [...ring].reverse(),
    record(messageType, messageId, content) {
      let body: unknown;
      try {
        body = maskValue(JSON.parse(content.toString('utf8')));
      } catch {
        body = '(not JSON / JSON ではありません)';
      }
      ring.push({ at: new Date().toISOString(), messageType, messageId, body });
      if (ring.length > keep) ring.shift();
    },
    async attach({ broker, engine }) {
      let consumer: Consumer | undefined;
      // A fresh queue per set of routes: bound only to the types some step takes, so a type with
      // no route still comes back unroutable to its publisher (the tap must not swallow it). The
      // previous queue expires seconds after its consumer closes, with its bindings.
      const bind = async () => {
        const queue = `hub.tap.${randomUUID()}`;
        const steps = engine.steps();
        const types = [...new Set(steps.flatMap((step) => step.input))].sort();
        const base = topologyFor(steps);
        const topology: Topology = {
          exchanges: base.exchanges,
          queues: [
            ...base.queues,
            {
              name: queue,
              arguments: {
                'x-queue-type': 'classic',
                'x-max-length': keep,
                'x-overflow': 'drop-head',
                'x-expires': 5_000,
              },
            },
          ],
          bindings: [
            ...base.bindings,
            ...types.map((type) => ({ exchange: EVENTS_EXCHANGE, queue, routingKey: type })),
          ],
        };
        await broker.declare(topology);
        const next = await broker.consume({
          queue,
          prefetch: 10,
          async handler(delivery) {
            const id = delivery.properties.messageId as unknown;
            tap.record(delivery.routingKey, typeof id === 'string' ? id : '', delivery.content);
            await settle(delivery, { kind: 'ack' });
          },
        });
        const previous = consumer;
        consumer = next;
        await previous?.close();
      };
      await bind();
      return {
        rebind: bind,
        async close() {
          await consumer?.close();
        },
      };
    },
  };
  return tap;
}
