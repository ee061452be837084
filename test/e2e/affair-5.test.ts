import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { eventually } from '../support/broker.js';
import { fugosIn, looksLikeFugo } from '../support/fugo-scan.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { suiteLogFile } from '../support/setup.js';
import { startE2e, type E2e } from './support.js';

const PAIRS = 10_000;
/**
 * Positions (1-based) of the bad pairs: the first has a wrong check digit, the others a valid
 * 個人番号 nobody holds. The 機構 refuses each by itself; the batch goes through.
 */
const BAD = [17, 5_000, 9_999];

interface Ledger {
  assigned: number;
  acquired: number;
  failed: number;
  entries: {
    processingSerial: string;
    integratedAtenaNumber: string;
    fugo?: string;
    failure?: { errorCode: string; reasonJa: string; reasonEn: string };
  }[];
}

/** 団体内統合宛名番号 of synthetic resident `seed`, as the scenario defines it: 7 + 14 digits. */
function atenaOf(seed: number): string {
  return `7${String(seed).padStart(14, '0')}`;
}

describe('e2e affair 5: 情報提供用個人識別符号, 10,000 pairs with 3 bad ones', function () {
  this.timeout(180_000);
  let e2e: E2e;
  let logOffset = 0;

  before(async () => {
    e2e = await startE2e();
    logOffset = statSync(suiteLogFile, { throwIfNoEntry: false })?.size ?? 0;
  });
  after(async () => {
    await e2e.stop();
  });

  const ledger = async () =>
    (await (await fetch(`${e2e.url('CHUKAN_SERVER')}/fugo`)).json()) as Ledger;
  const issued = async () =>
    (await (await fetch(`${e2e.url('INFO_PROVISION_NETWORK')}/issued`)).json()) as {
      count: number;
      issued: { processingSerial: string; fugo: string }[];
    };

  it('delivers 9,997 符号 by 処理通番, reports 3 refusals; resending the 3 fixed completes the set; nothing in the log', async () => {
    const before = await e2e.deadLetters();
    await e2e.post('TOUGOU_ATENA', '/trigger/fugo-pairs', { count: PAIRS, bad: BAD });
    await eventually(
      async () => {
        const now = await ledger();
        return now.assigned === PAIRS && now.acquired + now.failed === PAIRS;
      },
      150_000,
      'every pair answered at the 中間サーバ',
    );
    const first = await ledger();
    expect(first.acquired).to.equal(PAIRS - BAD.length);
    expect(first.failed).to.equal(BAD.length);
    const failed = first.entries.filter((entry) => entry.fugo === undefined);
    expect(failed.map((entry) => entry.integratedAtenaNumber).sort()).to.deep.equal(
      BAD.map(atenaOf).sort(),
    );
    const codeOf = (position: number) =>
      failed.find((entry) => entry.integratedAtenaNumber === atenaOf(position))?.failure?.errorCode;
    expect(BAD.map(codeOf)).to.deep.equal(['F400', 'F404', 'F404']);
    for (const entry of failed) {
      expect(entry.failure?.reasonJa).to.contain('個人番号');
      expect(entry.failure?.reasonEn).to.contain('My Number');
    }

    // Each 符号 at the 中間サーバ is the one the network generated for that 処理通番 (raw records of
    // both simulators), well formed, and different for different people.
    const generated = new Map((await issued()).issued.map((i) => [i.processingSerial, i.fugo]));
    const delivered = first.entries.filter((entry) => entry.fugo !== undefined);
    expect(delivered).to.have.length(PAIRS - BAD.length);
    for (const entry of delivered) {
      expect(entry.fugo, entry.processingSerial).to.equal(generated.get(entry.processingSerial));
      expect(looksLikeFugo(entry.fugo ?? ''), 'well-formed 符号').to.equal(true);
    }
    expect(new Set(delivered.map((entry) => entry.fugo)).size).to.equal(delivered.length);

    // The requester got the refusals by 処理通番 with reasons, and no 符号.
    const reports = (await (await fetch(`${e2e.url('TOUGOU_ATENA')}/fugo-reports`)).json()) as {
      reports: {
        acquiredCount: number;
        failures: { processingSerial: string; reasonJa: string }[];
      }[];
    };
    expect(reports.reports).to.have.length(1);
    expect(reports.reports[0]?.acquiredCount).to.equal(PAIRS - BAD.length);
    expect(reports.reports[0]?.failures.map((f) => f.processingSerial).sort()).to.deep.equal(
      failed.map((entry) => entry.processingSerial).sort(),
    );
    expect(fugosIn(JSON.stringify(reports))).to.deep.equal([]);
    // One batch, one request at the CS: never one message per pair.
    const cs = await e2e.received('JUKINET_CS');
    expect(
      cs.messages.filter((m) => m.messageType === 'fugo.acquisition.requested'),
    ).to.have.length(1);

    // Resend the three, fixed: only they travel, under their first 処理通番.
    const resend = (await e2e.post('TOUGOU_ATENA', '/trigger/fugo-resend', {})) as {
      pairs: number;
    };
    expect(resend.pairs).to.equal(BAD.length);
    await eventually(
      async () => (await ledger()).acquired === PAIRS,
      60_000,
      'the set complete at the 中間サーバ',
    );
    const complete = await ledger();
    expect(complete.assigned).to.equal(PAIRS);
    expect(complete.failed).to.equal(0);
    const network = await issued();
    expect(network.count, 'the resend asked only for the three').to.equal(PAIRS);
    const all = new Map(network.issued.map((i) => [i.processingSerial, i.fugo]));
    for (const entry of complete.entries) {
      expect(entry.fugo, entry.processingSerial).to.equal(all.get(entry.processingSerial));
    }
    for (const entry of failed) {
      const now = complete.entries.find(
        (e) => e.integratedAtenaNumber === entry.integratedAtenaNumber,
      );
      expect(now?.processingSerial, 'the same 処理通番 after the resend').to.equal(
        entry.processingSerial,
      );
    }
    expect(await e2e.newDeadLetters(before)).to.deep.equal([]);

    // No 符号 and no My Number in the hub's log of this run.
    const log = readFileSync(suiteLogFile).subarray(logOffset).toString('utf8');
    expect(log.length, 'the run logged something').to.be.greaterThan(0);
    expect(fugosIn(log), '符号 in the log').to.deep.equal([]);
    const issuedValues = [...all.values()];
    expect(issuedValues.filter((fugo) => log.includes(fugo))).to.deep.equal([]);
    // Message ids are UUIDs, whose hyphenated digit groups the tests' scanner would join.
    const withoutIds = log.replace(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
      'id',
    );
    expect(validMyNumbersIn(withoutIds), 'My Numbers in the log').to.deep.equal([]);
  });
});
