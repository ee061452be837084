import { expect } from 'chai';
import { containsMyNumber, isValidMyNumber } from '../../hub/security/my-number.js';
import { simSystems, type SimSystem } from '../../connectors/index.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

/** Systems that may receive 個人番号 (the seed's legend); every other one must never see one. */
const myNumberAllowed = new Set<SimSystem>([
  'KIZON_JUKI',
  'JUKINET_CS',
  'PREFECTURE_SERVER',
  'NATIONAL_SERVER',
  'OTHER_MUNICIPALITY',
  'TOUGOU_ATENA',
  'CHUKAN_SERVER',
  'CONVENI_ISSUANCE',
  'JLIS_CERT_CENTER',
]);

function ofType(list: ReceivedList, type: string) {
  return list.messages.filter((message) => message.messageType === type);
}

describe('e2e affair 1: a move-in at the registry reaches every system', function () {
  this.timeout(90_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  it('domestic move-in: CS update acknowledged and passed to the prefecture, 転入通知, 宛名, 中間サーバ via 統合宛名', async () => {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_IN',
      seed: 11,
    })) as { juminhyoCode: string };
    const code = moved.juminhyoCode;
    await eventually(
      async () => {
        const registry = await e2e.received('KIZON_JUKI');
        return ofType(registry, 'registry.cs-reply.received').some(
          (message) =>
            message.body['replyKind'] === 'IDENTITY_INFO_ACCEPTED' &&
            message.body['juminhyoCode'] === code,
        );
      },
      30_000,
      'the CS acknowledgement back at the registry',
    );
    const cs = await e2e.received('JUKINET_CS');
    expect(
      ofType(cs, 'identity-info.update.submitted').map((m) => m.body['juminhyoCode']),
    ).to.deep.equal([code]);
    expect(ofType(cs, 'move-in.notice.sent')).to.have.length(1);
    const prefecture = await e2e.received('PREFECTURE_SERVER');
    expect(
      ofType(prefecture, 'identity-info.update.submitted').map((m) => m.body['juminhyoCode']),
    ).to.deep.equal([code]);
    await eventually(
      async () =>
        ofType(await e2e.received('OTHER_MUNICIPALITY'), 'move-in.notice.sent').length === 1,
      10_000,
      '転入通知 at the former municipality',
    );
    const notice = ofType(await e2e.received('OTHER_MUNICIPALITY'), 'move-in.notice.sent')[0];
    expect(notice?.body['toLgCode']).to.equal('011002');
    await eventually(
      async () => ofType(await e2e.received('KYOTSU_KIBAN'), 'atena.changed').length === 1,
      10_000,
      '宛名 update at 共通基盤',
    );
    await eventually(
      async () => (await e2e.received('CHUKAN_SERVER')).count === 1,
      10_000,
      '住民票関係情報 at the 中間サーバ',
    );
    const chukan = (await e2e.received('CHUKAN_SERVER')).messages[0];
    expect(chukan?.messageType).to.equal('chukan.juminhyo-kankei.updated');
    expect(chukan?.body['integratedAtenaNumber']).to.match(/^[0-9]{15}$/);
    expect((await e2e.received('TOUGOU_ATENA')).count).to.equal(1);
  });

  it('move-in from abroad: My Number generation requested at the CS, completion back at the registry', async () => {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'OVERSEAS_MOVE_IN',
      seed: 12,
    })) as { juminhyoCode: string };
    await eventually(
      async () =>
        ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').some(
          (message) => message.body['replyKind'] === 'MYNUMBER_GENERATED',
        ),
      30_000,
      'the generated My Number back at the registry',
    );
    const requests = ofType(await e2e.received('JUKINET_CS'), 'mynumber.generation.requested');
    expect(requests.map((m) => m.body['juminhyoCode'])).to.deep.equal([moved.juminhyoCode]);
    const completion = ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').find(
      (message) => message.body['replyKind'] === 'MYNUMBER_GENERATED',
    );
    expect(completion?.body['juminhyoCode']).to.equal(moved.juminhyoCode);
    expect(isValidMyNumber(String(completion?.body['myNumber']))).to.equal(true);
  });

  it('an update the CS refuses comes back to the registry as IDENTITY_INFO_REJECTED, not passed on', async () => {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'RELOCATION',
      seed: 13,
      birthAfterProcessing: true,
    })) as { juminhyoCode: string };
    await eventually(
      async () =>
        ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').some(
          (message) =>
            message.body['replyKind'] === 'IDENTITY_INFO_REJECTED' &&
            message.body['juminhyoCode'] === moved.juminhyoCode,
        ),
      30_000,
      'the CS rejection back at the registry',
    );
    const rejection = ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').find(
      (message) => message.body['replyKind'] === 'IDENTITY_INFO_REJECTED',
    );
    expect(rejection?.body['errorCode']).to.equal('E1001');
    const atPrefecture = ofType(
      await e2e.received('PREFECTURE_SERVER'),
      'identity-info.update.submitted',
    ).map((message) => message.body['juminhyoCode']);
    expect(atPrefecture).to.not.include(moved.juminhyoCode);
  });

  it('no system that may not receive 個人番号 received one (every simulator scanned)', async () => {
    let scanned = 0;
    for (const system of simSystems) {
      const list = await e2e.received(system);
      if (!myNumberAllowed.has(system)) {
        expect(containsMyNumber(list.messages), `${system} received a My Number`).to.equal(false);
        scanned += list.count;
      }
    }
    expect(scanned, 'messages scanned at systems without 個人番号').to.be.greaterThan(0);
    // The scanner itself finds the numbers where they are allowed (the check is not vacuous).
    expect(containsMyNumber((await e2e.received('JUKINET_CS')).messages)).to.equal(true);
  });

  it('left no dead letter: hops that do not apply to a movement were skipped, not failed', async () => {
    expect(await e2e.deadLetters()).to.deep.equal([]);
  });
});
