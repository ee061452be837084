import { expect } from 'chai';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

function ofType(list: ReceivedList, type: string) {
  return list.messages.filter((message) => message.messageType === type);
}

/** The synthetic resident `seed`'s 住民票コード as the simulators derive it (0000 + 6 digits + cd). */
function isCode(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{11}$/.test(value);
}

describe('e2e affair 1: 個人番号 generation and change as the seed describes them (1-②〜⑥)', function () {
  this.timeout(90_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  async function heldNumber(code: string): Promise<string> {
    const response = await fetch(`${e2e.url('KIZON_JUKI')}/residents/${code}/my-number`);
    expect(response.status).to.equal(200);
    return ((await response.json()) as { myNumber: string }).myNumber;
  }

  it('a change request goes registry → CS → 機構 → CS → registry; the registry holds the new number and sends it to the CS', async () => {
    const seed = 21;
    const before = (await e2e.post('KIZON_JUKI', '/trigger/mynumber-change', {
      seed,
      changeKind: 'REQUEST',
    })) as { juminhyoCode: string };
    const code = before.juminhyoCode;
    expect(isCode(code)).to.equal(true);
    await eventually(
      async () =>
        ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').some(
          (m) => m.body['replyKind'] === 'MYNUMBER_CHANGED' && m.body['juminhyoCode'] === code,
        ),
      30_000,
      'the changed number back at the registry',
    );
    const request = ofType(await e2e.received('JUKINET_CS'), 'mynumber.change.requested');
    expect(request.map((m) => m.body['juminhyoCode'])).to.deep.equal([code]);
    const previous = String(request[0]?.body['currentMyNumber']);
    const reply = ofType(await e2e.received('KIZON_JUKI'), 'registry.cs-reply.received').find(
      (m) => m.body['replyKind'] === 'MYNUMBER_CHANGED',
    );
    const changed = String(reply?.body['myNumber']);
    expect(reply?.body['previousMyNumber']).to.equal(previous);
    expect(changed).to.not.equal(previous);
    // A valid 個人番号 by the scanner's own check-digit rule.
    expect(validMyNumbersIn(changed)).to.deep.equal([changed]);
    expect(await heldNumber(code)).to.equal(changed);
    // 1-⑥: the CS's 本人確認情報 gets the new number as a 修正 "個人番号の変更請求".
    await eventually(
      async () =>
        ofType(await e2e.received('JUKINET_CS'), 'identity-info.update.submitted').some(
          (m) => m.body['juminhyoCode'] === code,
        ),
      30_000,
      'the 本人確認情報 update with the new number at the CS',
    );
    const update = ofType(await e2e.received('JUKINET_CS'), 'identity-info.update.submitted').find(
      (m) => m.body['juminhyoCode'] === code,
    );
    expect(update?.body['myNumber']).to.equal(changed);
    expect(update?.body['movementReason']).to.deep.equal({
      category: 'CORRECTION',
      reason: 'MYNUMBER_CHANGE_REQUEST',
    });
  });

  it('a birth reaches the CS with 異動事由 出生 and the birth date as 異動年月日, carrying the generated number', async () => {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'BIRTH',
      seed: 32,
    })) as { juminhyoCode: string };
    const code = moved.juminhyoCode;
    await eventually(
      async () =>
        ofType(await e2e.received('JUKINET_CS'), 'identity-info.update.submitted').some(
          (m) => m.body['juminhyoCode'] === code,
        ),
      30_000,
      'the newborn’s 本人確認情報 at the CS',
    );
    const generation = ofType(await e2e.received('JUKINET_CS'), 'mynumber.generation.requested');
    expect(generation.map((m) => m.body['juminhyoCode'])).to.deep.equal([code]);
    const updates = ofType(
      await e2e.received('JUKINET_CS'),
      'identity-info.update.submitted',
    ).filter((m) => m.body['juminhyoCode'] === code);
    expect(updates).to.have.length(1);
    const update = updates[0]?.body ?? {};
    expect(update['movementReason']).to.deep.equal({ category: 'ENTRY', reason: 'BIRTH' });
    const birthDate = update['birthDate'] as { value?: string };
    expect(birthDate.value).to.equal('2026-11-20');
    expect((update['movedOn'] as { value?: string }).value).to.equal(birthDate.value);
    expect(update['csUpdateReason']).to.equal('ENTRY');
    const generated = String(update['myNumber']);
    expect(validMyNumbersIn(generated)).to.deep.equal([generated]);
    expect(await heldNumber(code)).to.equal(generated);
    // The prefecture got the same (1-⑦).
    await eventually(
      async () =>
        ofType(await e2e.received('PREFECTURE_SERVER'), 'identity-info.update.submitted').some(
          (m) => m.body['juminhyoCode'] === code && m.body['myNumber'] === generated,
        ),
      10_000,
      'the update at the prefecture',
    );
  });

  it('left no dead letter', async () => {
    expect(await e2e.deadLetters()).to.deep.equal([]);
  });
});
