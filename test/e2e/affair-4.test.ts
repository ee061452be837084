/**
 * Affair 4 end to end: the terminal simulator writes 法務省通知 files, the hub's terminal connector
 * (the plugin every replica runs) sequences them through the store, 既存住基 receives them; foreign
 * residents' movements leave as 市町村通知 files. Oracles: the registry's raw deliveries, the
 * terminal's outgoing files read back byte by byte here, the receipt files, and the dead-letter queue.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mojTerminalPlugin } from '../../connectors/moj-terminal/ingress.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e, type ReceivedList } from './support.js';

const GAP_ALERT_MS = 1_500;

function ofType(list: ReceivedList, type: string) {
  return list.messages.filter((message) => message.messageType === type);
}

async function applied(e2e: E2e): Promise<number[]> {
  return ofType(await e2e.received('KIZON_JUKI'), 'moj.notice.received').map((message) =>
    Number(message.body['sequenceNo']),
  );
}

describe('e2e affair 4: 法務省通知 in sequence order, 市町村通知 out', function () {
  this.timeout(600_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e({
      plugins: [mojTerminalPlugin],
      env: { HUB_MOJ_GAP_ALERT_MS: String(GAP_ALERT_MS) },
    });
  });
  after(async () => {
    await e2e.stop();
  });

  it('1,000 notices with one gap and two duplicates: held behind the gap, alerted, then applied in order once', async () => {
    const missing = 500;
    const first = (await e2e.post('MOJ_TERMINAL', '/trigger/notices', {
      from: 1,
      to: 1000,
      skip: [missing],
      duplicates: [10, 700],
    })) as { file: string; records: number };
    expect(first.records).to.equal(1001);
    await eventually(
      async () => (await applied(e2e)).length === missing - 1,
      240_000,
      'the notices before the gap at the registry',
    );
    await eventually(
      async () => ofType(await e2e.received('KIZON_JUKI'), 'moj.notice.sequence-gap').length > 0,
      30_000,
      'the gap alert at the registry',
    );
    const [alert] = ofType(await e2e.received('KIZON_JUKI'), 'moj.notice.sequence-gap');
    expect(alert?.body).to.include({
      missingSequenceNo: missing,
      firstHeldSequenceNo: missing + 1,
    });
    expect(alert?.body['heldCount']).to.equal(1000 - missing);
    // While the number is missing nothing behind it reached the registry.
    expect(Math.max(...(await applied(e2e)))).to.equal(missing - 1);
    const receipt = JSON.parse(
      readFileSync(join(e2e.exchangeDir, 'moj-terminal', 'receipts', `${first.file}.json`), 'utf8'),
    ) as { accepted: number; duplicates: number[] };
    expect(receipt.accepted).to.equal(999);
    expect(receipt.duplicates).to.deep.equal([10, 700]);

    await e2e.post('MOJ_TERMINAL', '/trigger/notices', { from: missing, to: missing });
    await eventually(
      async () => (await applied(e2e)).length >= 1000,
      240_000,
      'every notice at the registry',
    );
    const sequence = await applied(e2e);
    const wrong = sequence.findIndex((seq, index) => seq !== index + 1);
    expect(
      wrong,
      `order broken at ${String(wrong)}: ${JSON.stringify(sequence.slice(Math.max(0, wrong - 3), wrong + 5))}`,
    ).to.equal(-1);
    expect(sequence).to.deep.equal(Array.from({ length: 1000 }, (_, index) => index + 1));
    expect(
      ofType(await e2e.received('KIZON_JUKI'), 'moj.notice.sequence-gap'),
      'one alert per gap',
    ).to.have.length(1);
  });

  it('市町村通知 for those residents leave in the terminal’s fixed-width CP932 format', async () => {
    const codes: string[] = [];
    for (const seed of [31, 32]) {
      const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
        reason: 'RELOCATION',
        seed,
        kind: 'mid-long-term',
      })) as { atenaNumber: string };
      codes.push(moved.atenaNumber);
    }
    await eventually(
      async () => (await e2e.received('MOJ_TERMINAL')).count === 2,
      30_000,
      'two 市町村通知 at the terminal',
    );
    const folder = join(e2e.exchangeDir, 'moj-terminal', 'outbound');
    const files = readdirSync(folder).filter((name) => name.endsWith('.dat'));
    expect(files).to.have.length(2);
    const ids: string[] = [];
    for (const name of files) {
      const bytes = readFileSync(join(folder, name));
      // One 400-byte record and CRLF; ASCII fields read at their offsets without the codec.
      expect(bytes.length).to.equal(402);
      expect(bytes.subarray(400).toString('latin1')).to.equal('\r\n');
      expect(bytes.subarray(0, 1).toString('latin1')).to.equal('M');
      expect(bytes.subarray(1, 7).toString('latin1')).to.equal('131016');
      ids.push(bytes.subarray(7, 47).toString('latin1').trim());
      expect(bytes.subarray(49, 61).toString('latin1')).to.equal('AB12345678CD');
      expect(bytes.subarray(62, 162).toString('latin1').trim()).to.equal('NGUYEN VAN AN');
      expect(bytes.subarray(48, 49).toString('latin1'), 'ADDRESS_CHANGE').to.equal('4');
    }
    expect(ids.map((id) => id.split(':')[0]).sort()).to.deep.equal([...codes].sort());
  });

  it('a malformed file is rejected whole, with its line numbers, and nothing of it is applied', async () => {
    const before = await e2e.deadLetters();
    const good = (await e2e.post('MOJ_TERMINAL', '/trigger/notices', {
      from: 1001,
      to: 1005,
    })) as { file: string };
    // Wait until the good file was taken, then write a broken copy of the next numbers by hand.
    await eventually(async () => (await applied(e2e)).length === 1005, 30_000, 'the good file');
    const lines = readFileSync(join(e2e.exchangeDir, 'moj-terminal', 'processed', good.file))
      .toString('latin1')
      .split('\r\n')
      .filter((line) => line !== '');
    const next = lines.map((line) =>
      line.startsWith('D')
        ? `D${String(Number(line.slice(1, 11)) + 5).padStart(10, '0')}${line.slice(11)}`
        : line,
    );
    // Line 3: a residence card number that is not 2 letters + 8 digits + 2 letters; line 5: cut short.
    next[2] = `${next[2]?.slice(0, 61) ?? ''}AB1234567CDX${next[2]?.slice(73) ?? ''}`;
    next[4] = next[4]?.slice(0, 100) ?? '';
    const dir = join(e2e.exchangeDir, 'moj-terminal', 'inbound');
    await mkdir(dir, { recursive: true });
    const broken = join(dir, 'HOUMU_broken.dat');
    await writeFile(broken, Buffer.from(`${next.join('\r\n')}\r\n`, 'latin1'));
    await writeFile(`${broken}.done`, 'x\n');
    await eventually(
      async () => (await e2e.newDeadLetters(before)).length > 0,
      30_000,
      'the rejected file as a dead letter',
    );
    const letters = await e2e.newDeadLetters(before);
    expect(letters).to.have.length(1);
    expect(letters[0]?.errorCode).to.equal('HUB_MOJ_FILE_REJECTED');
    expect(letters[0]?.reasonEn).to.match(/line 3: \/residenceCard\/number pattern/);
    expect(letters[0]?.reasonEn).to.match(/line 5: /);
    const errors = readFileSync(
      join(e2e.exchangeDir, 'moj-terminal', 'rejected', 'HOUMU_broken.dat.errors.txt'),
      'utf8',
    );
    expect(
      errors
        .split('\n')
        .filter(Boolean)
        .map((line) => Number(line.split('\t')[0])),
    ).to.deep.equal([3, 5]);
    // None of its notices (1006..1010) was applied.
    expect(Math.max(...(await applied(e2e)))).to.equal(1005);
  });

  it('a hub restarted behind a gap keeps the held notices and the gap clock: one alert, then in order', async () => {
    await e2e.post('MOJ_TERMINAL', '/trigger/notices', { from: 1006, to: 1012, skip: [1008] });
    await eventually(
      async () => (await applied(e2e)).includes(1007),
      30_000,
      'the notices before the new gap',
    );
    await e2e.restartHub();
    const gapAlerts = async () =>
      ofType(await e2e.received('KIZON_JUKI'), 'moj.notice.sequence-gap').filter(
        (message) => message.body['missingSequenceNo'] === 1008,
      );
    await eventually(async () => (await gapAlerts()).length === 1, 30_000, 'the alert for 1008');
    expect(Math.max(...(await applied(e2e)))).to.equal(1007);
    await e2e.post('MOJ_TERMINAL', '/trigger/notices', { from: 1008, to: 1008 });
    await eventually(
      async () => (await applied(e2e)).includes(1012),
      30_000,
      'the held notices after the restart',
    );
    expect((await applied(e2e)).slice(1005)).to.deep.equal([
      1006, 1007, 1008, 1009, 1010, 1011, 1012,
    ]);
    expect(await gapAlerts()).to.have.length(1);
  });
});
