import { expect } from 'chai';
import type amqp from 'amqplib';
import { buildTopology, createBroker, type Broker } from '../../hub/broker/index.js';
import { createIngest, type Ingest } from '../../hub/ingest/publish.js';
import { startOutboxPoller } from '../../hub/ingest/outbox.js';
import { openStore } from '../../hub/store/index.js';
import type { Store } from '../../hub/store/types.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/db.js';

const movementType = 'resident.movement.recorded';
const countingQueue = 'hub.step.outbox-count';

/** Counts, per poller, what its ingest core published. */
function countingIngest(inner: Ingest, counter: { published: number }): Ingest {
  return {
    check: (messageType, content, body) => inner.check(messageType, content, body),
    async submit(message) {
      const result = await inner.submit(message);
      if (result.status === 'published') counter.published += 1;
      return result;
    },
  };
}

// Like withStores: HUB_TEST_STORES=sqlite (a machine without MariaDB) leaves this suite out.
const onMysql = storeKinds().includes('mysql') ? [describe] : [];

for (const describeOnMysql of onMysql)
  describeOnMysql(
    'ingest: outbox with two pollers on MariaDB (SELECT … FOR UPDATE SKIP LOCKED)',
    function () {
      this.timeout(180_000);
      let vhost: TestVhost;
      let database: TestDatabase;
      const stores: Store[] = [];
      const brokers: Broker[] = [];
      let connection: amqp.ChannelModel;

      before(async () => {
        vhost = await createVhost('hub-outbox');
        database = await createTestDatabase('mysql');
      });

      after(async () => {
        await connection.close().catch(() => undefined);
        for (const broker of brokers) await broker.close().catch(() => undefined);
        for (const store of stores) await store.close().catch(() => undefined);
        await database.drop();
        await vhost.delete();
      });

      it('publishes 10k rows exactly once between two hub replicas and marks every row', async () => {
        const total = 10_000;
        // Two replicas: each its own store pool and its own broker connections.
        for (let replica = 0; replica < 2; replica += 1) {
          stores.push(await openStore(database.url));
          const broker = createBroker({ url: vhost.url, name: `hub-outbox-${String(replica)}` });
          await broker.start();
          brokers.push(broker);
        }
        const [storeA, storeB] = stores as [Store, Store];
        const [brokerA, brokerB] = brokers as [Broker, Broker];
        await brokerA.declare(
          buildTopology(
            [
              {
                queue: countingQueue,
                bindingKeys: [movementType],
                singleActiveConsumer: false,
                deliveryLimit: 10,
              },
            ],
            [],
          ),
        );
        // The legacy system writes its rows (in its own transactions, 500 at a time).
        const payload = JSON.stringify(sampleMovementRecorded({}, 1));
        for (let start = 0; start < total; start += 500) {
          await storeA.knex.transaction(async (trx) => {
            const rows = Array.from({ length: 500 }, (_, index) => ({
              message_type: movementType,
              payload,
              source_system: 'KIZON_JUKI',
              correlation_id: `row-${String(start + index)}`,
            }));
            await trx('hub_outbox').insert(rows);
          });
        }
        const catalogue = schemaRegistry();
        const counters = [{ published: 0 }, { published: 0 }];
        const pollers = [
          startOutboxPoller({
            store: storeA,
            ingest: countingIngest(
              createIngest({ publisher: brokerA.publisher, catalogue }),
              counters[0]!,
            ),
            pollMs: 20,
          }),
          startOutboxPoller({
            store: storeB,
            ingest: countingIngest(
              createIngest({ publisher: brokerB.publisher, catalogue }),
              counters[1]!,
            ),
            pollMs: 20,
          }),
        ];
        await eventually(
          async () => {
            const pending: unknown = await storeA
              .knex('hub_outbox')
              .whereNull('published_at')
              .first('id');
            return pending === undefined;
          },
          150_000,
          'every outbox row published',
        );
        await Promise.all(pollers.map((poller) => poller.stop()));

        // Exactly once on the broker: 10k messages, 10k distinct ids, none twice.
        connection = await rawConnection(vhost.url);
        const channel = await connection.createChannel();
        const seen = new Map<string, number>();
        await channel.prefetch(1000);
        await channel.consume(countingQueue, (message) => {
          if (message === null) return;
          const id = String(message.properties.messageId);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          channel.ack(message);
        });
        await eventually(() => seen.size >= total, 60_000, 'every message consumed');
        // A second copy of any id would be right behind the first; give the queue a moment to show it.
        await eventually(
          async () => (await channel.checkQueue(countingQueue)).messageCount === 0,
          10_000,
          'the queue drained',
        );
        const copies = [...seen.values()].reduce((sum, count) => sum + count, 0);
        expect(seen.size).to.equal(total);
        expect(copies).to.equal(total);
        expect(counters[0]!.published + counters[1]!.published).to.equal(total);
        // Both replicas took part: the rows were really contended, not drained by one poller alone.
        expect(counters[0]!.published).to.be.greaterThan(0);
        expect(counters[1]!.published).to.be.greaterThan(0);
        const unmarked: unknown = await storeA
          .knex('hub_outbox')
          .whereNot({ outcome: 'published' })
          .orWhereNull('outcome')
          .first('id');
        expect(unmarked).to.equal(undefined);
        // Published rows keep no copy of the content (it is in the broker now).
        const kept: unknown = await storeA.knex('hub_outbox').whereNot({ payload: '' }).first('id');
        expect(kept).to.equal(undefined);
      });
    },
  );
