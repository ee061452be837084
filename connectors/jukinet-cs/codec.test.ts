import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { CodecError } from '../codec/errors.js';
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import { consistencyRecordLayout, encodeConsistencyRecord, textHash } from './codec.js';

/** Made-up residents: plain, 統一文字 beyond CP932 with an unknown birth date, no kana. */
const records: JukinetConsistencyCheckRecord[] = [
  {
    recordNo: 1,
    juminhyoCode: '00000000019',
    myNumber: '000000000019',
    name: '見本　太郎',
    nameKanaHalfWidth: 'ﾐﾎﾝ ﾀﾛｳ',
    birthDate: { value: '1990-02-02', era: 'H' },
    sex: 'MALE',
    addressText: '東京都千代田区神田錦町三丁目２２番地',
    residentStatus: 'RESIDENT',
  },
  {
    recordNo: 99999999,
    juminhyoCode: '98765432109',
    myNumber: '123456789018',
    name: '葛\u{E0100}飾　𠮷子',
    nameKanaHalfWidth: 'ｶﾂｼｶ ﾖｼｺ',
    birthDate: { isUnknown: true },
    sex: 'FEMALE',
    addressText: '東京都葛\u{E0100}飾区',
    residentStatus: 'MOVED_OUT',
  },
  {
    recordNo: 42,
    juminhyoCode: '00000000027',
    myNumber: '000000000027',
    name: 'SMITH JOHN',
    birthDate: { value: '2001-12-31', era: 'H' },
    sex: 'MALE',
    addressText: '',
    residentStatus: 'DECEASED',
  },
];

/**
 * The records' bytes as the encoder wrote them before it had fast paths (iconv-lite per field), and
 * the items appended in issue 17 (通称, 旧氏, 異動事由, 異動年月日), blank when a record has none.
 */
const appendedBlank = '20'.repeat(64 + 64 + 40 + 10);
const golden248 = [
  '303030303030303130303030303030303031393030303030303030303031393932623463326638383639353364383965' +
    '3832393635356463623363386363363631353132626437383533373236626463663366396331636134356566626161d0' +
    'cedd20c0dbb3202020202020202020202020202020202020202020202020202020202020202020202020202020202020' +
    '2020202020202020202020313939302d30322d30324d414c452020202033623361366139373962333139316462643637' +
    '306231646239346663343566376530336234633638663733316131373265666530663832356362353361393233524553' +
    '4944454e54202020',
  '393939393939393939383736353433323130393132333435363738393031383237306631353330363665336464666432' +
    '3665303562376566373033623765656537636236653033353266623830316563303139663761313263626366623938b6' +
    'c2bcb620d6bcba2020202020202020202020202020202020202020202020202020202020202020202020202020202020' +
    '20202020202020202020202020202020202020202046454d414c45202037663031333536356364633032313064653466' +
    '6466336334383761663035313933613538626465386465333932363365326632396331353165656134643965304d4f56' +
    '45445f4f55542020',
  '303030303030343230303030303030303032373030303030303030303032373061313363626565333230663361316535' +
    '616433623463393261316234656566336430353635633733336465303931313939376131663234663165306331353920' +
    '202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020' +
    '2020202020202020202020323030312d31322d33314d414c452020202065336230633434323938666331633134396166' +
    '626634633839393666623932343237616534316534363439623933346361343935393931623738353262383535444543' +
    '4541534544202020',
];
const golden = golden248.map((hex) => hex + appendedBlank);

function codecError(action: () => unknown): CodecError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(CodecError);
    return error as CodecError;
  }
  expect.fail('expected a CodecError');
}

describe('市町村CS consistency record codec', () => {
  it('writes the same bytes as before the fast paths', () => {
    for (const [index, record] of records.entries()) {
      const bytes = encodeConsistencyRecord(record);
      expect(bytes.length).to.equal(consistencyRecordLayout.recordLength);
      expect(bytes.toString('hex'), `record ${String(index)}`).to.equal(golden[index]);
    }
  });

  it('writes 通称, 旧氏, 異動事由 and 異動年月日 where a record has them', () => {
    const [base] = records;
    if (base === undefined) throw new Error('no record');
    const bytes = encodeConsistencyRecord({
      ...base,
      alias: '見本通称',
      formerSurname: '旧姓',
      lastMovementReason: { category: 'ENTRY', reason: 'BIRTH' },
      lastMovedOn: { value: '2026-11-20', era: 'R' },
    });
    expect(bytes.subarray(0, 248).toString('hex')).to.equal(golden248[0]);
    const decoded = consistencyRecordLayout.decode(bytes);
    expect(decoded.aliasHash).to.equal(createHash('sha256').update('見本通称').digest('hex'));
    expect(decoded.formerSurnameHash).to.equal(createHash('sha256').update('旧姓').digest('hex'));
    expect(decoded.movementReason).to.equal('BIRTH');
    expect(decoded.movedOn).to.equal('2026-11-20');
  });

  it('leaves nothing of earlier buffers in a record (every byte is written)', () => {
    for (let round = 0; round < 2000; round += 1) {
      // Dirty the allocation pool the record buffers come from.
      Buffer.allocUnsafe(1 + (round % 300)).fill(0xee);
      const index = round % records.length;
      const record = records[index];
      if (record === undefined) throw new Error('no record');
      if (encodeConsistencyRecord(record).toString('hex') !== golden[index]) {
        expect.fail(`round ${String(round)}: record ${String(index)} differs`);
      }
    }
  });

  it('fails with the same errors as before, naming field and position, never the value', () => {
    const [base] = records;
    if (base === undefined) throw new Error('no record');
    const cases: [Partial<Record<keyof JukinetConsistencyCheckRecord, unknown>>, string, string][] =
      [
        [
          { nameKanaHalfWidth: 'ｱｲｳｴｵｶｷｸｹｺ'.repeat(6) + 'ｱ' },
          'layout cs-consistency-record, field nameKana: value is too long: 61 bytes for a field of 60 bytes',
          '様式 cs-consistency-record、項目 nameKana: 値が長すぎます（61 バイト、上限 60 バイト）',
        ],
        [
          { sex: 'MALE\u0007' },
          'layout cs-consistency-record, field sex, character position 4, U+0007: control character in a fixed-width field',
          '様式 cs-consistency-record、項目 sex、文字位置 4、U+0007: 制御文字があります',
        ],
        [
          { residentStatus: '住民' },
          'layout cs-consistency-record, field residentStatus, character position 0, U+4F4F: full-width character in a half-width field',
          '様式 cs-consistency-record、項目 residentStatus、文字位置 0、U+4F4F: 半角項目に全角文字があります',
        ],
        [
          { birthDate: { value: '1990-02-02x' } },
          'layout cs-consistency-record, field birthDate: value is too long: 11 bytes for a field of 10 bytes',
          '様式 cs-consistency-record、項目 birthDate: 値が長すぎます（11 バイト、上限 10 バイト）',
        ],
        [
          { juminhyoCode: '0000000001A' },
          'layout cs-consistency-record, field juminhyoCode, character position 10: a numeric field holds ASCII digits only',
          '様式 cs-consistency-record、項目 juminhyoCode、文字位置 10: 数字項目は半角数字のみです',
        ],
        [
          { recordNo: -1 },
          'layout cs-consistency-record, field recordNo: a numeric field holds a whole number ≥ 0',
          '様式 cs-consistency-record、項目 recordNo: 数字項目は 0 以上の整数です',
        ],
      ];
    for (const [change, en, ja] of cases) {
      const error = codecError(() =>
        encodeConsistencyRecord({ ...base, ...change } as JukinetConsistencyCheckRecord),
      );
      expect(error.message).to.equal(en);
      expect(error.reason).to.deep.equal({ ja, en });
    }
  });

  it('hashes 統一文字 text as SHA-256 of its UTF-8, as createHash does', () => {
    expect(textHash('')).to.equal(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(textHash('a')).to.equal(
      'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
    );
    const samples = [
      '見本　太郎',
      '葛\u{E0100}飾',
      '\u{20BB7}',
      '\uE000外字',
      '\uD842',
      'x\uDFB7y',
      '🍣'.repeat(100),
    ];
    let seed = 7;
    for (let round = 0; round < 500; round += 1) {
      let text = '';
      for (let index = 0; index < round % 40; index += 1) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        text += String.fromCharCode(seed >>> 16);
      }
      samples.push(text);
    }
    for (const text of samples) {
      const expected = createHash('sha256').update(text, 'utf8').digest('hex');
      if (textHash(text) !== expected)
        expect.fail(`hash differs for sample ${String(samples.indexOf(text))}`);
    }
  });
});
