import { expect } from 'chai';
import type amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { buildTopology, createBroker, type Broker } from '../../hub/broker/index.js';
import { businessCalendar } from '../../hub/calendar/business-calendar.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { moveInDeadlines } from '../../hub/store/move-in-deadlines.js';
import type { Store } from '../../hub/store/types.js';
import { startMoveInTimer, type MoveInTimer } from '../../hub/timers/move-in-notice.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import { schemaRegistry } from '../../schemas/registry.js';
import {
  createVhost,
  eventually,
  publishRaw,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import { withStores } from '../support/db.js';

/** Thu 2026-12-03 10:00 in Japan. */
const NOW = new Date('2026-12-03T01:00:00Z');

function moveOut(seed: number, plannedMoveOutOn: string) {
  return { ...sampleMovementRecorded({}, seed, 'DOMESTIC_MOVE_OUT'), plannedMoveOutOn };
}

function notice(seed: number, noticeIssuedAt: string) {
  const movement = sampleMovementRecorded({}, seed, 'DOMESTIC_MOVE_IN');
  return {
    lgCode: '131016',
    fromLgCode: '271004',
    noticeIssuedAt,
    juminhyoCode: movement.resident.juminhyoCode,
    name: movement.resident.name,
    birthDate: movement.resident.birthDate,
    sex: movement.resident.sex,
    newAddress: { lgCode: '271004', prefecture: '大阪府', municipalityName: '大阪市' },
    movedInOn: { value: '2026-11-01' },
    notifiedOn: '2026-11-02',
  };
}

describe('転入通知 timer: deadlines in the store, claimed atomically by any replica', function () {
  this.timeout(60_000);

  withStores(({ openFreshStore }) => {
    let vhost: TestVhost;
    let broker: Broker;
    let connection: amqp.ChannelModel;
    let store: Store;
    const timers: MoveInTimer[] = [];

    beforeEach(async () => {
      vhost = await createVhost('hub-timer');
      broker = createBroker({ url: vhost.url, name: 'hub-timer-test' });
      await broker.start();
      await broker.declare(buildTopology([], []));
      connection = await rawConnection(vhost.url);
      store = await openFreshStore();
    });
    afterEach(async () => {
      for (const timer of timers.splice(0)) await timer.stop();
      await connection.close().catch(() => undefined);
      await broker.close();
      await vhost.delete();
    });

    it('opens on 転出, closes on the notice (latest wins), raises the overdue once across two replicas and a restart', async () => {
      const keyRing = createKeyRing([randomBytes(32)]);
      const options = {
        lgCode: '131016',
        broker,
        store,
        keyRing,
        catalogue: schemaRegistry(),
        calendar: businessCalendar(),
        noticeDays: 14,
        pollMs: 0,
        now: () => NOW,
      };
      timers.push(await startMoveInTimer(options), await startMoveInTimer(options));
      const [replicaA, replicaB] = timers;
      if (replicaA === undefined || replicaB === undefined) throw new Error('no timers');
      const listener = await connection.createChannel();
      const { queue } = await listener.assertQueue('', { exclusive: true });
      await listener.bindQueue(queue, 'hub.events', 'move-in.notice.overdue');
      const channel = await connection.createConfirmChannel();
      // A: past due, never notified. B: past due, notified. C: not due yet (due 2026-12-15).
      await publishRaw(channel, 'resident.movement.recorded', moveOut(61, '2026-10-01'));
      await publishRaw(channel, 'resident.movement.recorded', moveOut(62, '2026-10-01'));
      await publishRaw(channel, 'resident.movement.recorded', moveOut(63, '2026-11-25'));
      const deadlines = moveInDeadlines(store);
      const key = (seed: number) =>
        keyRing
          .hasher()
          .hash('move-in-notice', sampleMovementRecorded({}, seed).resident.juminhyoCode);
      const states = async () =>
        Promise.all([61, 62, 63].map(async (seed) => deadlines.statesOf('131016', key(seed))));
      await eventually(
        async () => (await states()).every((list) => list.length === 1),
        10_000,
        'three deadlines',
      );
      await publishRaw(channel, 'move-in.notice.received', notice(62, '2026-11-02T10:00:00+09:00'));
      await eventually(
        async () => (await states())[1]?.[0] === 'CLOSED',
        10_000,
        'B closed by its notice',
      );
      // An older resend of B's notice changes nothing (latest wins).
      expect(
        await deadlines.close('131016', key(62), '2026-11-01T09:00:00+09:00', NOW),
      ).to.deep.equal({ closed: 0, superseded: true });

      // Two replicas scan at once: one claim wins, one event.
      const raised = await Promise.all([replicaA.scan(), replicaB.scan()]);
      expect(raised[0] + raised[1]).to.equal(1);
      expect(await states()).to.deep.equal([['RAISED'], ['CLOSED'], ['OPEN']]);
      const events: Record<string, unknown>[] = [];
      await eventually(
        async () => {
          const message = await listener.get(queue, { noAck: true });
          if (message !== false)
            events.push(JSON.parse(message.content.toString()) as Record<string, unknown>);
          return events.length === 1;
        },
        10_000,
        'the overdue event',
      );
      const [event] = events;
      expect(event?.['atenaNumber']).to.equal(sampleMovementRecorded({}, 61).resident.atenaNumber);
      // Due 2026-10-22 (14 business days after Thu 10-01, 10-12 スポーツの日 skipped); by Thu 12-03,
      // 28 business days later (11-03 文化の日 and 11-23 勤労感謝の日 skipped) — counted by hand.
      expect(event?.['daysOverdue']).to.equal(28);

      // A restart: new replicas find the state in the store and raise nothing again.
      for (const timer of timers.splice(0)) await timer.stop();
      const restarted = await startMoveInTimer(options);
      timers.push(restarted);
      expect(await restarted.scan()).to.equal(0);
      expect(await listener.get(queue, { noAck: true })).to.equal(false);
    });
  });
});
