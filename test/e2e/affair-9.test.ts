import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { pathOfRef, readJsonLines } from '../../connectors/runtime/files.js';
import { eventually } from '../support/broker.js';
import { suiteLogFile } from '../support/setup.js';
import { startE2e, type E2e } from './support.js';

/**
 * Records in the extract: the 100k (≈ 7 s here). Memory is not asserted in tests: peak RSS
 * against the bulk benchmark's bound is `npx hub bench --only delivery-address`
 * (bench/delivery-address.ts).
 */
const RECORDS = 100_000;
/** Broken in turn: postal code with a hyphen, a name with U+FFFD, 特別な事情 not set. */
const BAD = [3, 4_444, RECORDS - 1];

describe('e2e affair 9: 送付先情報 streamed through the CS to the card management system', function () {
  this.timeout(120_000);
  let e2e: E2e;
  let logOffset = 0;

  before(async () => {
    e2e = await startE2e();
    logOffset = statSync(suiteLogFile, { throwIfNoEntry: false })?.size ?? 0;
  });
  after(async () => {
    await e2e.stop();
  });

  it('imports every good record at the card system and rejects the bad ones one by one', async () => {
    const before = await e2e.deadLetters();
    await e2e.post('KIZON_JUKI', '/trigger/delivery-addresses', { count: RECORDS, bad: BAD });
    let ack: Record<string, unknown> | undefined;
    await eventually(
      async () => {
        const registry = await e2e.received('KIZON_JUKI');
        ack = registry.messages.find(
          (m) => m.messageType === 'card.delivery-address.acknowledged',
        )?.body;
        return ack !== undefined;
      },
      110_000,
      'the acknowledgement back at the registry',
    );
    expect(ack).to.include({
      recordCount: RECORDS,
      acceptedCount: RECORDS - BAD.length,
      rejectedCount: BAD.length,
      importedCount: RECORDS - BAD.length,
    });

    // What the card system itself recorded: exactly the good records (Σ of their record numbers).
    const imports = (await (await fetch(`${e2e.url('CARD_MGMT')}/delivery-addresses`)).json()) as {
      imports: { importedCount: number; recordNoSum: number }[];
    };
    expect(imports.imports).to.have.length(1);
    expect(imports.imports[0]?.importedCount).to.equal(RECORDS - BAD.length);
    const all = (RECORDS * (RECORDS + 1)) / 2;
    expect(imports.imports[0]?.recordNoSum).to.equal(all - BAD.reduce((a, b) => a + b, 0));

    // One manifest at the CS, never a message per record.
    const cs = await e2e.received('JUKINET_CS');
    expect(
      cs.messages.filter((m) => m.messageType === 'card.delivery-address.extract-ready'),
    ).to.have.length(1);

    // The rejects: one line per bad record, with schema paths and reasons, never a value.
    const rejects: { recordNo: number; paths: string[]; ja: string; en: string }[] = [];
    const rejectsText = readFileSync(pathOfRef(String(ack?.['rejectsRef'])), 'utf8');
    for await (const line of readJsonLines(pathOfRef(String(ack?.['rejectsRef'])))) {
      rejects.push(line as (typeof rejects)[number]);
    }
    expect(rejects.map((r) => r.recordNo)).to.deep.equal(BAD);
    expect(rejects[0]?.paths).to.deep.equal(['/postalCode pattern']);
    expect(rejects[1]?.paths).to.deep.equal(['/recipientName mjText']);
    expect(rejects[2]?.paths.join(' ')).to.contain('required');
    for (const reject of rejects) {
      expect(reject.ja).to.match(/[^\x20-\x7e]/);
      expect(reject.en).to.match(/^[\x20-\x7e]+$/);
    }
    expect(rejectsText).not.to.contain('100-0001');
    expect(rejectsText).not.to.contain('\ufffd');
    expect(await e2e.newDeadLetters(before)).to.deep.equal([]);

    // Progress was shown while streaming (counts only).
    const log = readFileSync(suiteLogFile).subarray(logOffset).toString('utf8');
    const progress = log
      .split('\n')
      .filter((line) => line.includes('"done":') && line.includes('送付先情報'));
    expect(progress.length).to.equal(Math.floor(RECORDS / 10_000));
  });
});
