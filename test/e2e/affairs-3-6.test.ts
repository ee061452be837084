/**
 * Affairs 3 and 6 end to end: the 統合端末 simulator calls the hub's counter API as a signed-in
 * operator; the hub searches the 市町村CS simulator, then the 全国サーバ / 機構 simulator, and asks
 * 既存住基's 窓口 for 住民票の写し. Oracles: what each server says it served (`/identity/served`),
 * the registry's own 個人番号 (`/residents/:code/my-number`), the PDF read back with Debian's
 * poppler-utils (pdftotext, pdffonts, pdftoppm), My Numbers found by test/support/my-number-scan.ts,
 * and the access record read by an auditor over HTTP.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counterPlugin } from '../../hub/counter/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { sampleAtenaNumber, sampleJuminhyoCode, sampleResident } from '../../schemas/sample.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { runCli } from '../support/run-cli.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

const password = 'counter test password 19';

interface Answer {
  httpStatus: number;
  body: Record<string, unknown> & { records?: Record<string, unknown>[] };
}

function japanToday(): string {
  return new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
}

describe('e2e affairs 3 and 6: the counter and the 統合端末', function () {
  this.timeout(120_000);
  let e2e: E2e;
  let hubUrl: string;
  const requestIds: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'affairs-3-6-'));
  const dbUrl = `sqlite:${join(work, 'hub.sqlite')}`;

  before(async () => {
    e2e = await startE2e({
      env: { HUB_DB_URL: dbUrl },
      plugins: [
        counterPlugin({
          endpoints: () => ({
            cs: e2e.url('JUKINET_CS'),
            national: e2e.url('NATIONAL_SERVER'),
            registry: e2e.url('KIZON_JUKI'),
          }),
        }),
      ],
    });
    const credentials = storeCredentials(e2e.hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op19', password, 'operator');
    await credentials.addUser('aud19', password, 'auditor');
    hubUrl = `http://127.0.0.1:${String(e2e.hub.httpPort)}`;
    await e2e.post('TOUGOU_TANMATSU', '/hub', { url: hubUrl });
  });
  after(async () => {
    await e2e.stop();
  });

  async function served(system: 'JUKINET_CS' | 'NATIONAL_SERVER'): Promise<Record<string, number>> {
    return (await (await fetch(`${e2e.url(system)}/identity/served`)).json()) as Record<
      string,
      number
    >;
  }

  async function terminal(
    kind: 'search' | 'inquiry',
    purpose: string,
    criteria: Record<string, string>,
    respondWithinMs = 10_000,
  ): Promise<Answer> {
    const answer = (await e2e.post('TOUGOU_TANMATSU', `/trigger/${kind}`, {
      username: 'op19',
      password,
      terminalId: 'T-19',
      purpose,
      criteria,
      respondWithinMs,
    })) as Answer;
    if (typeof answer.body['requestId'] === 'string') requestIds.push(answer.body['requestId']);
    return answer;
  }

  it('6-①④: a resident is found in the CS, with only the items of the 事務', async () => {
    const nationalBefore = (await served('NATIONAL_SERVER'))['/identity/search'] ?? 0;
    const answer = await terminal('search', 'PASSPORT_RESIDENCE', {
      juminhyoCode: sampleJuminhyoCode(42),
    });
    expect(answer.httpStatus).to.equal(200);
    expect(answer.body).to.include({ status: 'ANSWERED', source: 'LOCAL' });
    expect(answer.body.records).to.have.length(1);
    // The passport 事務 sees the four items and nothing else (not even the 住民票コード).
    expect(Object.keys(answer.body.records![0]!).sort()).to.deep.equal(
      ['address', 'birthDate', 'name', 'sex'].sort(),
    );
    expect((await served('NATIONAL_SERVER'))['/identity/search'] ?? 0).to.equal(nationalBefore);
    // By name and birth date, the same person, from the CS.
    const { name, birthDate } = answer.body.records![0]! as { name: string; birthDate: string };
    const byName = await terminal('search', 'JUKI_HONNIN_KAKUNIN', { name, birthDate });
    expect(byName.body).to.include({ status: 'ANSWERED', source: 'LOCAL' });
    expect(byName.body.records!.map((record) => record['juminhyoCode'])).to.include(
      sampleJuminhyoCode(42),
    );
  });

  it('6-②③: a person of another city is answered from the 全国サーバ', async () => {
    const before = await served('NATIONAL_SERVER');
    const answer = await terminal('search', 'JUKI_HONNIN_KAKUNIN', {
      juminhyoCode: sampleJuminhyoCode(500_000),
    });
    expect(answer.body).to.include({ status: 'ANSWERED', source: 'NATIONAL' });
    expect(answer.body.records![0]!['juminhyoCode']).to.equal(sampleJuminhyoCode(500_000));
    expect((await served('NATIONAL_SERVER'))['/identity/search']).to.equal(
      (before['/identity/search'] ?? 0) + 1,
    );
  });

  it('6-⑤–⑧: a 情報照会 for a person of another city returns 機構の answer; a resident is answered by the CS', async () => {
    const before = await served('NATIONAL_SERVER');
    const answer = await terminal('inquiry', 'JUKI_IDOU_KAKUNIN', {
      juminhyoCode: sampleJuminhyoCode(600_000),
    });
    expect(answer.body).to.include({ status: 'ANSWERED', source: 'KIKOU' });
    expect(answer.body.records![0]!['juminhyoCode']).to.equal(sampleJuminhyoCode(600_000));
    expect((await served('NATIONAL_SERVER'))['/kikou/inquiry']).to.equal(
      (before['/kikou/inquiry'] ?? 0) + 1,
    );
    const local = await terminal('inquiry', 'JUKI_IDOU_KAKUNIN', {
      juminhyoCode: sampleJuminhyoCode(43),
    });
    expect(local.body).to.include({ status: 'ANSWERED', source: 'LOCAL' });
  });

  it('a purpose without 個人番号 never gets one, even when searching by it', async () => {
    const card = await terminal('search', 'MYNUMBER_CARD', {
      juminhyoCode: sampleJuminhyoCode(44),
    });
    const numbers = validMyNumbersIn(JSON.stringify(card.body));
    expect(numbers, 'the card 事務 sees the number (the oracle can see it)').to.have.length(1);
    const plain = await terminal('search', 'JUKI_HONNIN_KAKUNIN', { myNumber: numbers[0]! });
    expect(plain.body).to.include({ status: 'ANSWERED' });
    expect(plain.body.records!.map((record) => record['juminhyoCode'])).to.deep.equal([
      sampleJuminhyoCode(44),
    ]);
    expect(validMyNumbersIn(JSON.stringify(plain))).to.deep.equal([]);
    const national = await terminal('search', 'JUKI_HONNIN_KAKUNIN', {
      juminhyoCode: sampleJuminhyoCode(500_001),
    });
    expect(national.body).to.include({ source: 'NATIONAL' });
    expect(validMyNumbersIn(JSON.stringify(national))).to.deep.equal([]);
  });

  it('a search past the terminal deadline answers timed out, and is recorded', async () => {
    await e2e.post('JUKINET_CS', '/control', { mode: 'timeout', delayMs: 3_000 });
    try {
      const started = Date.now();
      const answer = await terminal(
        'search',
        'JUKI_HONNIN_KAKUNIN',
        { juminhyoCode: sampleJuminhyoCode(45) },
        500,
      );
      expect(answer.body).to.include({ status: 'TIMED_OUT' });
      expect(answer.body.records).to.deep.equal([]);
      expect(Date.now() - started, 'answered at the deadline, not after the server').to.be.below(
        3_000,
      );
    } finally {
      await e2e.post('JUKINET_CS', '/control', { mode: 'ok', delayMs: 0 });
    }
  });

  async function juminhyo(request: Record<string, unknown>): Promise<Answer> {
    const answer = (await e2e.post('TOUGOU_TANMATSU', '/trigger/juminhyo', {
      username: 'op19',
      password,
      terminalId: 'MADOGUCHI-3',
      request,
    })) as Answer;
    if (typeof answer.body['requestId'] === 'string') requestIds.push(answer.body['requestId']);
    return answer;
  }

  function pdfText(answer: Answer, name: string): string {
    const file = join(work, `${name}.pdf`);
    writeFileSync(file, Buffer.from(String(answer.body['pdfBase64']), 'base64'));
    // not a hub process: poppler's pdftotext
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  }

  const self = { kind: 'SELF', identityDocument: 'MYNUMBER_CARD' };
  const proxy = { kind: 'PROXY', identityDocument: 'DRIVER_LICENSE', relation: '委任' };

  it('3-①②: 住民票の写し with the requested items; 個人番号 only for 本人 who asked', async () => {
    await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'RELOCATION',
      seed: 901,
      setaiSeed: 901,
    });
    await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'RELOCATION',
      seed: 902,
      setaiSeed: 901,
    });
    const myNumber = (
      (await (
        await fetch(`${e2e.url('KIZON_JUKI')}/residents/${sampleJuminhyoCode(901)}/my-number`)
      ).json()) as { myNumber: string }
    ).myNumber;
    const name901 = sampleResident(901).name.name;
    const name902 = sampleResident(902).name.name;

    const mine = await juminhyo({
      atenaNumber: sampleAtenaNumber(901),
      requester: self,
      items: { scope: 'PART', myNumber: true, honseki: true, relationship: true },
    });
    expect(mine.httpStatus).to.equal(200);
    expect(mine.body['verificationCode']).to.match(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    const text = pdfText(mine, 'self');
    expect(text).to.contain('住民票の写し');
    expect(text).to.contain(name901.replace(/\s/g, '').slice(0, 2));
    expect(text).to.contain('本籍');
    expect(text).to.contain('続柄');
    expect(text).to.contain(String(mine.body['verificationCode']));
    expect(validMyNumbersIn(text)).to.deep.equal([myNumber]);
    expect(text).to.not.contain(name902);

    // Not asked: no 個人番号; the whole 世帯 shows both members; no 本籍 when not asked.
    const household = await juminhyo({
      atenaNumber: sampleAtenaNumber(901),
      requester: self,
      items: { scope: 'HOUSEHOLD_ALL' },
    });
    const householdText = pdfText(household, 'household');
    expect(validMyNumbersIn(householdText)).to.deep.equal([]);
    expect(householdText).to.not.contain('個人番号');
    expect(householdText).to.not.contain('本籍');
    expect(householdText).to.contain(name901.replace(/\s/g, '').slice(0, 2));
    expect(householdText).to.contain(name902.replace(/\s/g, '').slice(0, 2));

    // A 代理 asking for 個人番号 is refused; without it the copy is issued, with no number.
    const refused = await juminhyo({
      atenaNumber: sampleAtenaNumber(901),
      requester: proxy,
      items: { scope: 'PART', myNumber: true },
    });
    expect(refused.httpStatus).to.equal(403);
    expect(refused.body).to.include({ status: 'REFUSED', reason: 'MY_NUMBER_NOT_ALLOWED' });
    expect(validMyNumbersIn(JSON.stringify(refused))).to.deep.equal([]);
    const byProxy = await juminhyo({
      atenaNumber: sampleAtenaNumber(901),
      requester: proxy,
      items: { scope: 'PART' },
    });
    expect(byProxy.httpStatus).to.equal(200);
    expect(validMyNumbersIn(pdfText(byProxy, 'proxy'))).to.deep.equal([]);
  });

  it('the PDF embeds a Japanese font and renders glyphs, not boxes', async () => {
    await e2e.post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed: 904 });
    const answer = await juminhyo({
      atenaNumber: sampleAtenaNumber(904),
      requester: self,
      items: { scope: 'PART' },
    });
    const file = join(work, 'glyphs.pdf');
    writeFileSync(file, Buffer.from(String(answer.body['pdfBase64']), 'base64'));
    // not a hub process: poppler's pdffonts
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).to.match(/IPAexGothic.*yes/);
    // Rendered: the title line is ink of real glyphs — each of its six characters is distinct.
    // not a hub process: poppler's pdftoppm
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', file, join(work, 'page')]);
    const png = readFileSync(join(work, 'page-1.png'));
    expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
    // not a hub process: poppler's pdftoppm
    execFileSync('pdftoppm', ['-gray', '-r', '40', '-f', '1', '-l', '1', file, join(work, 'gray')]);
    const pgm = readFileSync(join(work, 'gray-1.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
    expect(header).to.not.equal(null);
    const width = Number(header![1]);
    const pixels = pgm.subarray(header![0].length);
    // Title band (rows 30–60 at 40 dpi): the glyphs' column profiles differ; six identical boxes don't.
    const columns: number[] = [];
    for (let x = 0; x < width; x += 1) {
      let ink = 0;
      for (let y = 30; y < 60; y += 1) if ((pixels[y * width + x] ?? 255) < 128) ink += 1;
      columns.push(ink);
    }
    const inked = columns.filter((ink) => ink > 0);
    expect(inked.length).to.be.above(20);
    expect(new Set(inked).size, 'varied strokes, not repeated boxes').to.be.above(4);
    // And extracted as text: the font maps its glyphs back to Unicode.
    // not a hub process: poppler's pdftotext
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).to.contain('住民票の写し');
  });

  it('a resident under 支援措置 is refused at the counter; a 一時解除 lets one copy through', async () => {
    await e2e.post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed: 903 });
    await e2e.post('KIZON_JUKI', '/trigger/suppression', { seed: 903, changeKind: 'START' });
    const ask = () =>
      juminhyo({ atenaNumber: sampleAtenaNumber(903), requester: self, items: { scope: 'PART' } });
    const refused = await ask();
    expect(refused.httpStatus).to.equal(403);
    expect(refused.body).to.include({ status: 'REFUSED', reason: 'SUPPORT_MEASURE_SUBJECT' });
    expect(JSON.stringify(refused.body['message'])).to.not.match(/支援|DV/);
    // The refusal reaches the 支援措置 audit through the affair-3 route, as the kiosk's do.
    let audit: { channel: string; rule: string }[] = [];
    await eventually(
      async () => {
        audit = await e2e.hub.store
          .knex('support_measure_refusals')
          .where({ request_id: refused.body['requestId'] })
          .select('channel', 'rule');
        return audit.length === 1;
      },
      20_000,
      'the counter refusal in the 支援措置 audit',
    );
    expect(audit[0]).to.include({ channel: 'COUNTER', rule: 'SUPPORT_MEASURE_SUBJECT' });
    await e2e.post('KIZON_JUKI', '/trigger/suppression', {
      seed: 903,
      changeKind: 'TEMPORARY_LIFT',
    });
    expect((await ask()).httpStatus).to.equal(200);
    expect((await ask()).httpStatus, 'the lift is for one issuance').to.equal(403);
  });

  it('refuses bad input with the field named, and anyone not signed in as an operator', async () => {
    const call = (body: unknown, user = 'op19', path = '/api/terminal/searches') =>
      fetch(`${hubUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-terminal-id': 'T-19',
          authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
    const respondBy = new Date(Date.now() + 5_000).toISOString();
    const unknownPurpose = await call({ purpose: 'CURIOSITY', criteria: {}, respondBy });
    expect(unknownPurpose.status).to.equal(400);
    expect(await unknownPurpose.text()).to.contain('purpose');
    const noCriteria = await call({
      purpose: 'JUKI_HONNIN_KAKUNIN',
      criteria: { name: 'x' },
      respondBy,
    });
    expect(noCriteria.status).to.equal(400);
    expect(await noCriteria.text()).to.contain('birthDate');
    expect(
      (await call({ purpose: 'JUKI_HONNIN_KAKUNIN', criteria: { juminhyoCode: '1' }, respondBy }))
        .status,
    ).to.equal(400);
    expect((await call({}, 'aud19')).status, 'an auditor does not search').to.equal(403);
    const anonymous = await fetch(`${hubUrl}/api/terminal/searches`, { method: 'POST' });
    expect(anonymous.status).to.equal(401);
    const proxyWithoutRelation = await call(
      {
        atenaNumber: sampleAtenaNumber(901),
        requester: { kind: 'PROXY', identityDocument: 'PASSPORT' },
      },
      'op19',
      '/api/counter/juminhyo',
    );
    expect(proxyWithoutRelation.status).to.equal(400);
    expect(await proxyWithoutRelation.text()).to.contain('requester/relation');
  });

  it('an auditor lists the day: every search and issuance of this test, and no plaintext', async () => {
    const response = await fetch(`${hubUrl}/api/audit/access?day=${japanToday()}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`aud19:${password}`).toString('base64')}`,
      },
    });
    expect(response.status).to.equal(200);
    const text = await response.text();
    const { items } = JSON.parse(text) as {
      items: {
        requestId: string;
        operator: string;
        terminal: string;
        purpose: string;
        result: string;
        resultCount: number;
      }[];
    };
    const recorded = new Set(items.map((item) => item.requestId));
    expect(requestIds.length).to.be.above(15);
    for (const id of requestIds) expect(recorded.has(id), id).to.equal(true);
    expect(items.every((item) => item.operator === 'op19')).to.equal(true);
    expect(items.some((item) => item.result === 'TIMED_OUT')).to.equal(true);
    expect(items.filter((item) => item.result === 'ISSUED').length).to.be.above(3);
    expect(
      items.some((item) => item.terminal === 'T-19' && item.purpose === 'MYNUMBER_CARD'),
    ).to.equal(true);
    // No plaintext: no My Number, 住民票コード, 宛名番号 or name of anyone searched.
    expect(validMyNumbersIn(text)).to.deep.equal([]);
    for (const seed of [42, 43, 44, 45, 500_000, 500_001, 600_000]) {
      expect(text).to.not.contain(sampleJuminhyoCode(seed));
    }
    for (const seed of [901, 902, 903, 904]) {
      expect(text).to.not.contain(sampleAtenaNumber(seed));
      expect(text).to.not.contain(sampleResident(seed).name.name);
    }
    // The same day on the command line (hub audit access), from the same store.
    const cli = await runCli(['audit', 'access', '--day', japanToday(), '--json'], {
      env: { HUB_DB_URL: dbUrl, HUB_DATA_DIR: work },
    });
    expect(cli.code, cli.stderr).to.equal(0);
    const lines = cli.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { requestId: string });
    expect(new Set(lines.map((line) => line.requestId))).to.deep.equal(recorded);
    expect(validMyNumbersIn(cli.stdout)).to.deep.equal([]);
    // An operator may not read it.
    const asOperator = await fetch(`${hubUrl}/api/audit/access?day=${japanToday()}`, {
      headers: { authorization: `Basic ${Buffer.from(`op19:${password}`).toString('base64')}` },
    });
    expect(asOperator.status).to.equal(403);
  });
});

describe('e2e affairs 3 and 6: the certificate font', function () {
  this.timeout(60_000);

  it('the hub does not start without its Japanese font, and names the variable', async () => {
    let failure: unknown;
    try {
      const e2e = await startE2e({
        env: { HUB_CERTIFICATE_FONT: join(tmpdir(), 'no-such-font-19.ttf') },
        plugins: [counterPlugin()],
      });
      await e2e.stop();
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message)
      .to.contain('HUB_CERTIFICATE_FONT')
      .and.contain('fonts-ipaexfont-gothic');
  });
});
