/**
 * Affair 2 across municipalities: hubs with their own 地方公共団体コード, vhosts, stores and simulators,
 * whose CSes are joined by a simulated 住基ネット (A and B; a third, C, also runs the dead-letters plugin
 * so an operator can resolve a letter). The oracles are what the simulators recorded (`/fuhyo` entries
 * and raw `/received` deliveries) and the raw dead-letter queue.
 */
import { expect } from 'chai';
import { jukinetNetworkSimulator, type JukinetNetwork } from '../../connectors/jukinet-cs/fuhyo.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

const CITY_A = '131016';
const CITY_B = '271004';
/** A third city whose hub archives dead letters for operators (the dead-letters plugin). */
const CITY_C = '011002';
const operator = `Basic ${Buffer.from('op1:correct horse battery').toString('base64')}`;
const HONSEKI_B = '大阪府大阪市北区中之島一丁目３番';

interface FuhyoList {
  readonly entries: { noticeId: string; juminhyoCode: string; fromLgCode: string }[];
}

function ofType(list: ReceivedList, type: string) {
  return list.messages.filter((message) => message.messageType === type);
}

async function fuhyo(city: E2e): Promise<FuhyoList> {
  const response = await fetch(`${city.url('KOSEKI_FUHYO')}/fuhyo`);
  return (await response.json()) as FuhyoList;
}

async function entriesFor(city: E2e, juminhyoCode: string) {
  return (await fuhyo(city)).entries.filter((entry) => entry.juminhyoCode === juminhyoCode);
}

async function move(city: E2e, body: Record<string, unknown>): Promise<string> {
  const moved = (await city.post('KIZON_JUKI', '/trigger/movement', body)) as {
    juminhyoCode: string;
  };
  return moved.juminhyoCode;
}

describe('e2e affair 2: 戸籍の附票 across municipalities (two hubs, and a third that archives dead letters)', function () {
  this.timeout(90_000);
  let network: JukinetNetwork;
  let cityA: E2e;
  let cityB: E2e;
  let cityC: E2e;
  const started: E2e[] = [];

  before(async () => {
    network = jukinetNetworkSimulator();
    await network.start();
    const both = await Promise.allSettled([
      startE2e({ lgCode: CITY_A }),
      startE2e({ lgCode: CITY_B }),
      startE2e({ lgCode: CITY_C, plugins: [deadLettersPlugin] }),
    ]);
    for (const result of both) if (result.status === 'fulfilled') started.push(result.value);
    for (const result of both) if (result.status === 'rejected') throw result.reason;
    [cityA, cityB, cityC] = started as [E2e, E2e, E2e];
    for (const [lgCode, city] of [
      [CITY_A, cityA],
      [CITY_B, cityB],
      [CITY_C, cityC],
    ] as const) {
      network.join(lgCode, city.url('JUKINET_CS'));
      await city.post('JUKINET_CS', '/network/config', { networkUrl: network.url() });
    }
    await cityB.post('KOSEKI_FUHYO', '/honseki', { addresses: [HONSEKI_B] });
  });
  after(async () => {
    await Promise.all(started.map((city) => city.stop()));
    await network.stop();
  });

  it('a 転居 in A with 本籍 in B updates B’s 附票, and B’s acknowledgement comes back to A’s registry', async () => {
    const code = await move(cityA, {
      reason: 'RELOCATION',
      seed: 21,
      honseki: { lgCode: CITY_B, address: HONSEKI_B },
    });
    await eventually(
      async () => (await entriesFor(cityB, code)).length === 1,
      30_000,
      'the 附票 entry at B',
    );
    const [entry] = await entriesFor(cityB, code);
    expect(entry?.fromLgCode).to.equal(CITY_A);
    await eventually(
      async () =>
        ofType(await cityA.received('KIZON_JUKI'), 'koseki-fuhyo.entry-notice.acknowledged').some(
          (message) => message.body['juminhyoCode'] === code,
        ),
      30_000,
      'B’s acknowledgement at A’s registry',
    );
    expect(await entriesFor(cityA, code), 'A’s own 附票 is not the 本籍地').to.deep.equal([]);
    expect(network.delivered.get(CITY_B)).to.be.greaterThanOrEqual(1);
    // No 個人番号 crossed: the 附票 items have none.
    const atB = ofType(await cityB.received('KOSEKI_FUHYO'), 'koseki-fuhyo.entry-notice.received');
    expect(atB.filter((message) => message.body['juminhyoCode'] === code)).to.have.length(1);
    expect(JSON.stringify(atB)).to.not.match(/myNumber/);
  });

  it('a 転入 in A with 本籍 in A updates A’s 附票 directly, nothing crosses the network', async () => {
    const toB = network.delivered.get(CITY_B) ?? 0;
    const code = await move(cityA, { reason: 'DOMESTIC_MOVE_IN', seed: 22 });
    await eventually(
      async () => (await entriesFor(cityA, code)).length === 1,
      30_000,
      'the 附票 entry at A',
    );
    const direct = ofType(await cityA.received('KOSEKI_FUHYO'), 'koseki-fuhyo.entry-notice.sent');
    expect(direct.filter((message) => message.body['juminhyoCode'] === code)).to.have.length(1);
    expect(await entriesFor(cityB, code)).to.deep.equal([]);
    expect(network.delivered.get(CITY_B) ?? 0).to.equal(toB);
  });

  it('a resend of the same movement is applied once at the 本籍地', async () => {
    const again = {
      reason: 'RELOCATION',
      seed: 21,
      honseki: { lgCode: CITY_B, address: HONSEKI_B },
    };
    const code = await move(cityA, again);
    // A later movement of another person through the same path marks when the resend has passed.
    const later = await move(cityA, {
      reason: 'RELOCATION',
      seed: 23,
      honseki: { lgCode: CITY_B, address: HONSEKI_B },
    });
    await eventually(
      async () => (await entriesFor(cityB, later)).length === 1,
      30_000,
      'the later movement at B',
    );
    expect(await entriesFor(cityB, code)).to.have.length(1);
    const raw = ofType(await cityB.received('KOSEKI_FUHYO'), 'koseki-fuhyo.entry-notice.received');
    expect(raw.filter((message) => message.body['juminhyoCode'] === code)).to.have.length(1);
  });

  it('a 本籍 the 本籍地’s 附票 system does not hold becomes a dead letter there, with the reason', async () => {
    const before = await cityB.deadLetters();
    const code = await move(cityA, {
      reason: 'RELOCATION',
      seed: 24,
      honseki: { lgCode: CITY_B, address: '大阪府大阪市北区存在しない町９番' },
    });
    await eventually(
      async () => (await cityB.newDeadLetters(before)).length > 0,
      30_000,
      'the dead letter at B',
    );
    const letters = await cityB.newDeadLetters(before);
    expect(letters).to.have.length(1);
    const [letter] = letters;
    expect(letter?.type).to.equal('koseki-fuhyo.entry-notice.received');
    expect(letter?.errorCode).to.equal('HUB_FUHYO_UNKNOWN_HONSEKI');
    expect(letter?.reasonEn).to.match(/no such 本籍/);
    expect(JSON.parse(letter?.body ?? '{}')).to.include({ juminhyoCode: code });
    expect(await entriesFor(cityB, code)).to.deep.equal([]);
    expect(await cityA.deadLetters(), 'nothing failed at A').to.deep.equal([]);
  });

  it('an operator registers the 本籍 and replays the letter: the 附票 records it, the 住所地 gets the acknowledgement', async () => {
    await storeCredentials(cityC.hub.store, { bcryptRounds: 4 }).addUser(
      'op1',
      'correct horse battery',
      'operator',
    );
    const honseki = '北海道札幌市中央区北一条西二丁目１番';
    const code = await move(cityA, {
      reason: 'RELOCATION',
      seed: 25,
      honseki: { lgCode: CITY_C, address: honseki },
    });
    const base = `http://127.0.0.1:${String(cityC.hub.httpPort)}/api/dead-letters`;
    let items: { id: number; messageType: string; reasonEn: string }[] = [];
    await eventually(
      async () => {
        const response = await fetch(base, { headers: { authorization: operator } });
        items = ((await response.json()) as { items: typeof items }).items;
        return items.length === 1;
      },
      30_000,
      'the archived dead letter at C',
    );
    expect(items[0]?.messageType).to.equal('koseki-fuhyo.entry-notice.received');
    expect(items[0]?.reasonEn).to.match(/no such 本籍/);
    await cityC.post('KOSEKI_FUHYO', '/honseki', { addresses: [honseki] });
    const replay = await fetch(`${base}/replay`, {
      method: 'POST',
      headers: { authorization: operator, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [items[0]?.id], reason: '本籍を附票システムに登録した' }),
    });
    expect(replay.status).to.equal(200);
    await eventually(
      async () => (await entriesFor(cityC, code)).length === 1,
      30_000,
      'the replayed notice at C’s 附票',
    );
    await eventually(
      async () =>
        ofType(await cityA.received('KIZON_JUKI'), 'koseki-fuhyo.entry-notice.acknowledged').some(
          (message) => message.body['juminhyoCode'] === code,
        ),
      30_000,
      'C’s acknowledgement at A’s registry',
    );
  });
});
