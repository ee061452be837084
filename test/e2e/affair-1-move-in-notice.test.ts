import { expect } from 'chai';
import type amqp from 'amqplib';
import { moveInDeadlines } from '../../hub/store/move-in-deadlines.js';
import { moveInTimerPlugin } from '../../hub/timers/move-in-notice.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { eventually, rawConnection } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

function ofType(list: ReceivedList, type: string) {
  return list.messages.filter((message) => message.messageType === type);
}

describe('e2e affair 1: 転入通知 to the 最終住民登録地, and the overdue timer (1-⑨⑩)', function () {
  this.timeout(90_000);
  let e2e: E2e;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  const overdue: Record<string, unknown>[] = [];

  before(async () => {
    e2e = await startE2e({
      plugins: [moveInTimerPlugin],
      env: { HUB_MOVE_IN_TIMER_POLL_MS: '200', HUB_MOVE_IN_NOTICE_DAYS: '14' },
    });
    // The test's own listener for the overdue event (an operator's queue).
    connection = await rawConnection(e2e.vhost.url);
    channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'hub.events', 'move-in.notice.overdue');
    await channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        overdue.push(JSON.parse(message.content.toString('utf8')) as Record<string, unknown>);
        channel.ack(message);
      },
      { noAck: false },
    );
  });
  after(async () => {
    await connection.close().catch(() => undefined);
    await e2e.stop();
  });

  it('a 転入通知 goes to the 最終住民登録地 (lived unregistered at the 転入前住所), never to the city itself', async () => {
    // Last registered here: no notice. Sent first, so its (skipped) notice step runs before the next.
    const here = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_IN',
      seed: 42,
      lastRegisteredLgCode: '131016',
    })) as { juminhyoCode: string };
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_IN',
      seed: 41,
      lastRegisteredLgCode: '271004',
    })) as { juminhyoCode: string };
    await eventually(
      async () =>
        ofType(await e2e.received('OTHER_MUNICIPALITY'), 'move-in.notice.sent').some(
          (m) => m.body['juminhyoCode'] === moved.juminhyoCode,
        ),
      30_000,
      '転入通知 at the other municipality',
    );
    await eventually(
      async () =>
        ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').some(
          (m) =>
            m.body['replyKind'] === 'IDENTITY_INFO_ACCEPTED' &&
            m.body['juminhyoCode'] === here.juminhyoCode,
        ),
      30_000,
      'the CS acknowledgement of the resident last registered here',
    );
    const notices = ofType(await e2e.received('JUKINET_CS'), 'move-in.notice.sent');
    expect(notices.map((m) => [m.body['juminhyoCode'], m.body['toLgCode']])).to.deep.equal([
      [moved.juminhyoCode, '271004'],
    ]);
    const forwarded = ofType(await e2e.received('OTHER_MUNICIPALITY'), 'move-in.notice.sent');
    expect(forwarded.map((m) => m.body['toLgCode'])).to.deep.equal(['271004']);
  });

  it('a 転出 whose 転入通知 never came raises move-in.notice.overdue (business days), a recent one does not', async () => {
    const late = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_OUT',
      seed: 43,
      plannedMoveOutOn: '2026-10-01',
    })) as { atenaNumber: string };
    const recent = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_OUT',
      seed: 44,
      plannedMoveOutOn: '2099-01-05',
    })) as { atenaNumber: string };
    await eventually(() => overdue.length >= 1, 30_000, 'the overdue event');
    const event = overdue[0] ?? {};
    expect(event['atenaNumber']).to.equal(late.atenaNumber);
    expect(event['plannedMoveOutOn']).to.equal('2026-10-01');
    expect(event['plannedDestinationLgCode']).to.equal('271004');
    expect(event['daysOverdue']).to.be.a('number').and.be.greaterThanOrEqual(1);
    // Keys only: no 個人番号 (and no name) in the event.
    expect(validMyNumbersIn(JSON.stringify(event))).to.deep.equal([]);
    expect(Object.keys(event).sort()).to.deep.equal(
      [
        'atenaNumber',
        'daysOverdue',
        'detectedAt',
        'historyNo',
        'lgCode',
        'plannedDestinationLgCode',
        'plannedMoveOutOn',
      ].sort(),
    );
    // Another late move-out: when its event comes, later scans have run: the first was raised once,
    // and the recent move-out never.
    const later = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_OUT',
      seed: 45,
      plannedMoveOutOn: '2026-09-01',
    })) as { atenaNumber: string };
    await eventually(() => overdue.length >= 2, 30_000, 'the second overdue event');
    expect(overdue.map((entry) => entry['atenaNumber'])).to.deep.equal([
      late.atenaNumber,
      later.atenaNumber,
    ]);
    expect(overdue.map((entry) => entry['atenaNumber'])).to.not.include(recent.atenaNumber);
  });

  it('the 転入通知 from the new municipality closes the deadline; an older resend is not applied over the latest', async () => {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_OUT',
      seed: 46,
      plannedMoveOutOn: '2026-11-27',
    })) as { juminhyoCode: string };
    const code = moved.juminhyoCode;
    const deadlines = moveInDeadlines(e2e.hub.store);
    const subject = e2e.hub.keyRing.hasher().hash('move-in-notice', code);
    await eventually(
      async () => (await deadlines.statesOf('131016', subject)).length === 1,
      10_000,
      'the deadline opened by the 転出',
    );
    expect(await deadlines.statesOf('131016', subject)).to.deep.equal(['OPEN']);
    for (const noticeIssuedAt of ['2026-12-01T10:00:00+09:00', '2026-11-30T10:00:00+09:00']) {
      await e2e.post('JUKINET_CS', '/trigger/move-in-notice', { seed: 46, noticeIssuedAt });
    }
    await eventually(
      async () =>
        ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').filter(
          (m) => m.body['replyKind'] === 'MOVE_IN_NOTICE' && m.body['juminhyoCode'] === code,
        ).length === 2,
      30_000,
      'both notices at the registry',
    );
    await eventually(
      async () => (await deadlines.statesOf('131016', subject))[0] === 'CLOSED',
      10_000,
      'the deadline closed by the notice',
    );
    const response = await fetch(`${e2e.url('KIZON_JUKI')}/residents/${code}/move-in-notice`);
    expect(await response.json()).to.deep.equal({
      latest: '2026-12-01T10:00:00+09:00',
      applied: 1,
      superseded: 1,
    });
  });
});
