import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

/** Reads a JSON-lines claim-check file (the test's own reader). */
function jsonLines(fileRef: string): Record<string, unknown>[] {
  return readFileSync(fileURLToPath(fileRef), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function results(list: ReceivedList) {
  return list.messages.filter((m) => m.messageType === 'jukinet.consistency-check.result-ready');
}

const POPULATION = 10_000;

/** The CS's copy drifts from the registry and the servers for these residents and items. */
const drift = [
  { recordNo: 17, field: 'NAME' },
  { recordNo: 4_242, field: 'ADDRESS' },
  { recordNo: 4_242, field: 'BIRTH_DATE' },
  { recordNo: 9_999, field: 'MY_NUMBER' },
];

describe('e2e affair 8 per the seed: the CS’s own 本人確認情報 checked by both servers (8-①②)', function () {
  this.timeout(120_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  it('3 drifted residents out of 10,000 at the CS: every result names exactly those three and their items', async () => {
    await e2e.post('JUKINET_CS', '/holdings/seed', { population: POPULATION, drift });
    await e2e.post('KIZON_JUKI', '/trigger/consistency-check', { count: POPULATION });
    await eventually(
      async () =>
        (await e2e.received('KIZON_JUKI')).messages.filter(
          (m) => m.messageType === 'jukinet.consistency-check.completed',
        ).length === 3,
      100_000,
      'three results (prefecture, national, 既存住基↔CS) back at the registry',
    );
    const registry = await e2e.received('KIZON_JUKI');
    const ready = results(registry);
    expect(ready.map((m) => m.body['source']).sort()).to.deep.equal([
      'NATIONAL',
      'PREFECTURE',
      'REGISTRY_CS',
    ]);
    const expected = drift.map((entry) => `${String(entry.recordNo)}:${entry.field}`).sort();
    for (const result of ready) {
      const source = String(result.body['source']);
      expect(result.body['checkedCount'], source).to.equal(POPULATION);
      expect(result.body['mismatchCount'], source).to.equal(drift.length);
      const lines = jsonLines(String(result.body['fileRef']));
      expect(
        lines.map((line) => `${String(line['recordNo'])}:${String(line['field'])}`).sort(),
        source,
      ).to.deep.equal(expected);
      expect(new Set(lines.map((line) => line['recordNo'])).size, source).to.equal(3);
      for (const line of lines) {
        expect(line['localValueHash'], source).to.match(/^[0-9a-f]{64}$/);
        expect(line['localValueHash'], source).to.not.equal(line['serverValueHash']);
        expect(line['juminhyoCode'], source).to.match(/^[0-9]{11}$/);
      }
    }
    // The servers checked the CS's own data, not the registry's: one file of the CS's, sent to both.
    const completed = registry.messages.filter(
      (m) => m.messageType === 'jukinet.consistency-check.completed',
    );
    expect(completed.map((m) => m.body['mismatchCount'])).to.deep.equal([4, 4, 4]);
  });

  it('the servers compare every item: a server copy drifted in 通称, 旧氏, 異動事由 or 異動年月日 is reported', async () => {
    const serverDrift = [
      { recordNo: 5, field: 'ALIAS' },
      { recordNo: 6, field: 'FORMER_SURNAME' },
      { recordNo: 7, field: 'MOVEMENT_REASON' },
      { recordNo: 8, field: 'MOVED_ON' },
      { recordNo: 9, field: 'NAME_KANA' },
      { recordNo: 10, field: 'SEX' },
      { recordNo: 11, field: 'RESIDENT_STATUS' },
    ];
    await e2e.post('JUKINET_CS', '/holdings/seed', { population: 200, drift: [] });
    await e2e.post('NATIONAL_SERVER', '/inject', { mismatches: serverDrift });
    const before = results(await e2e.received('KIZON_JUKI')).length;
    await e2e.post('KIZON_JUKI', '/trigger/consistency-check', { count: 200 });
    await eventually(
      async () => results(await e2e.received('KIZON_JUKI')).length === before + 3,
      60_000,
      'three more results',
    );
    const fresh = results(await e2e.received('KIZON_JUKI')).slice(before);
    const national = fresh.find((m) => m.body['source'] === 'NATIONAL');
    const reported = jsonLines(String(national?.body['fileRef'])).map(
      (line) => `${String(line['recordNo'])}:${String(line['field'])}`,
    );
    expect(reported.sort()).to.deep.equal(
      serverDrift.map((entry) => `${String(entry.recordNo)}:${entry.field}`).sort(),
    );
    for (const source of ['PREFECTURE', 'REGISTRY_CS']) {
      expect(
        fresh.find((m) => m.body['source'] === source)?.body['mismatchCount'],
        source,
      ).to.equal(0);
    }
  });

  it('left no dead letter', async () => {
    expect(await e2e.deadLetters()).to.deep.equal([]);
  });
});
