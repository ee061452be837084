import { expect } from 'chai';
import { sampleMessage, sampleMojNotice } from '../../schemas/sample.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { parseMojFile } from './ingress.js';
import {
  MOJ_SEPARATOR,
  decodeMunicipalityNotice,
  encodeMojHeader,
  encodeMojNotice,
  encodeMojTrailer,
  encodeMunicipalityNotice,
  mojNoticeBody,
} from './codec.js';

const catalogue = schemaRegistry();

function file(records: readonly Buffer[]): Buffer {
  return Buffer.concat(records.flatMap((record) => [record, MOJ_SEPARATOR]));
}

describe('法務省情報連携端末 files', () => {
  it('a 法務省通知 round-trips through its D record (code tables, dates, 在留期間)', () => {
    const notice = sampleMojNotice(42, 7);
    const record = encodeMojNotice(notice);
    expect(record.length).to.equal(250);
    expect(mojNoticeBody(record, notice.lgCode)).to.deep.equal(notice);
    const basic = sampleMessage('moj.notice.received', 1);
    expect(mojNoticeBody(encodeMojNotice(basic), basic.lgCode)).to.deep.equal(basic);
  });

  it('checks a file whole and names every bad line', () => {
    const good = [1, 2, 3].map((seq) => encodeMojNotice(sampleMojNotice(seq, seq)));
    const [one, two, three] = good as [Buffer, Buffer, Buffer];
    const ok = parseMojFile(
      file([encodeMojHeader('2026-11-27', 3), one, two, three, encodeMojTrailer(3)]),
      '131016',
      catalogue,
    );
    expect(ok.ok).to.equal(true);
    const broken = Buffer.from(two);
    broken.write('AB1234567CDX', 61, 'latin1');
    const bad = parseMojFile(
      file([encodeMojHeader('2026-11-27', 4), one, broken, three, encodeMojTrailer(3)]),
      '131016',
      catalogue,
    );
    expect(bad.ok).to.equal(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.line)).to.deep.equal([3, 1]);
    expect(bad.problems[0]?.what).to.equal('/residenceCard/number pattern');
    expect(bad.problems[1]?.what).to.match(/header count 4/);
  });

  it('a file without header or trailer is refused', () => {
    const parsed = parseMojFile(
      file([encodeMojNotice(sampleMojNotice(1, 1))]),
      '131016',
      catalogue,
    );
    expect(parsed.ok).to.equal(false);
  });

  it('a 市町村通知 is one 400-byte CP932 record with the foreign-resident items', () => {
    const notice = sampleMessage('municipality.notice.sent', 3);
    const record = encodeMunicipalityNotice(notice);
    expect(record.length).to.equal(400);
    expect(decodeMunicipalityNotice(record)).to.include({
      kind: 'M',
      legalBasis: 'JUKI_AND_NYUKAN',
      eventKind: 'ADDRESS_CHANGE',
      cardNumber: notice.residenceCard.number,
      romanName: 'NGUYEN VAN AN',
      alias: '見本　安',
      aliasOn: '2023-04-01',
      category: 'MID_LONG_TERM',
      statusCode: '14',
      expiresOn: '2028-09-30',
    });
  });
});
