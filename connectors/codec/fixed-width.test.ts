import { expect } from 'chai';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { CodecError } from './errors.js';
import {
  decodeRecords,
  defineLayout,
  encodeRecords,
  splitRecords,
  type FieldSpec,
  type GaijiMapping,
} from './fixed-width.js';
import { isoToWareki } from './wareki.js';

const resident = defineLayout({
  name: 'test-resident',
  recordLength: 110,
  encoding: 'cp932',
  fields: [
    { name: 'recordType', offset: 0, length: 4, type: 'text' },
    { name: 'juminhyoCode', offset: 4, length: 11, type: 'numeric' },
    { name: 'name', offset: 15, length: 20, type: 'zenkaku' },
    { name: 'nameKana', offset: 35, length: 20, type: 'kana-half' },
    { name: 'address', offset: 55, length: 40, type: 'zenkaku' },
    { name: 'birthDate', offset: 95, length: 7, type: 'wareki' },
    { name: 'movedOn', offset: 102, length: 8, type: 'date' },
  ],
});

const yamada = {
  recordType: '837Y',
  juminhyoCode: '24727059608',
  name: '山田　太郎',
  nameKana: 'ヤマダ　タロウ',
  address: '東京都千代田区',
  birthDate: { era: 'showa', year: 50, month: 4, day: 1 },
  movedOn: '2024-04-01',
} as const;

function codecError(action: () => unknown): CodecError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(CodecError);
    return error as CodecError;
  }
  expect.fail('expected a CodecError');
}

function expectNoValue(error: CodecError, ...values: string[]): void {
  for (const value of values) {
    expect(error.message).not.to.include(value);
    expect(error.reason.ja).not.to.include(value);
    expect(error.reason.en).not.to.include(value);
  }
}

describe('fixed-width CP932 records', () => {
  it('round-trips a record with 全角 text, half-width kana, numeric and 和暦 fields', () => {
    const bytes = resident.encode(yamada);
    expect(bytes.length).to.equal(110);
    expect(bytes.subarray(0, 15).toString('ascii')).to.equal('837Y24727059608');
    expect(bytes.subarray(15, 35).equals(iconv.encode('山田　太郎　　　　　', 'cp932'))).to.equal(
      true,
    );
    expect(
      bytes.subarray(35, 55).equals(iconv.encode('ﾔﾏﾀﾞ ﾀﾛｳ'.padEnd(20, ' '), 'cp932')),
    ).to.equal(true);
    expect(bytes.subarray(95, 110).toString('ascii')).to.equal('350040120240401');
    const decoded = resident.decode(bytes);
    expect(decoded).to.deep.equal({
      ...yamada,
      birthDate: { era: 'showa', year: 50, month: 4, day: 1, iso: '1975-04-01' },
    });
    expect(resident.encode(decoded).equals(bytes)).to.equal(true);
  });

  it('zero-pads numbers and treats all-zero or blank dates as unknown', () => {
    const bytes = resident.encode({ ...yamada, juminhyoCode: 42, birthDate: null, movedOn: null });
    expect(bytes.subarray(4, 15).toString('ascii')).to.equal('00000000042');
    expect(bytes.subarray(95, 110).toString('ascii')).to.equal('000000000000000');
    const decoded = resident.decode(bytes);
    expect(decoded.birthDate).to.equal(null);
    expect(decoded.movedOn).to.equal(null);
    bytes.fill(0x20, 95, 110);
    expect(resident.decode(bytes).birthDate).to.equal(null);
  });

  it('encodes an ISO date into a 和暦 field using era start days', () => {
    const bytes = resident.encode({ ...yamada, birthDate: '2019-05-01' });
    expect(bytes.subarray(95, 102).toString('ascii')).to.equal('5010501');
    expect(isoToWareki('2019-04-30')).to.deep.include({ era: 'heisei', year: 31 });
    expect(isoToWareki('1989-01-07')).to.deep.include({ era: 'showa', year: 64 });
  });

  it('rejects a variation selector, naming field, position and code point, not the value', () => {
    const error = codecError(() => resident.encode({ ...yamada, name: '葛\u{E0100}飾　花子' }));
    expect(error.code).to.equal('HUB_CODEC_ERROR');
    expect(error.disposition).to.equal('dead-letter');
    expect(error.reasonClass).to.equal('validation');
    expect(error.location).to.deep.include({
      layout: 'test-resident',
      field: 'name',
      codePointIndex: 1,
      codePoint: 'U+E0100',
    });
    expect(error.message).to.include('U+E0100').and.to.include('character position 1');
    expect(error.reason.ja).to.include('CP932 で表せない文字');
    expectNoValue(error, '葛', '花子');
  });

  it('rejects an emoji and a PUA character without a 外字 mapping', () => {
    const emoji = codecError(() => resident.encode({ ...yamada, address: '東京都🍣区' }));
    expect(emoji.location).to.deep.include({
      field: 'address',
      codePointIndex: 3,
      codePoint: 'U+1F363',
    });
    const pua = codecError(() => resident.encode({ ...yamada, name: '山\uE000' }));
    expect(pua.location).to.deep.include({ field: 'name', codePointIndex: 1, codePoint: 'U+E000' });
    const hangul = codecError(() => resident.encode({ ...yamada, name: '山田한' }));
    expect(hangul.location).to.deep.include({ field: 'name', codePoint: 'U+D55C' });
  });

  it('rejects values too long for their field, naming the byte limit', () => {
    const error = codecError(() =>
      resident.encode({ ...yamada, name: '寿限無寿限無五劫の擦り切れ' }),
    );
    expect(error.location.field).to.equal('name');
    expect(error.message).to.include('20 bytes');
    expectNoValue(error, '寿限無');
    expect(codecError(() => resident.encode({ ...yamada, juminhyoCode: '123456789012' })).message)
      .to.include('juminhyoCode')
      .and.include('11 bytes');
  });

  it('rejects the wrong width and non-kana in kana fields', () => {
    expect(
      codecError(() => resident.encode({ ...yamada, recordType: 'A\r\n' })).location,
    ).to.deep.include({ field: 'recordType', codePointIndex: 1, codePoint: 'U+000D' });
    expect(codecError(() => resident.encode({ ...yamada, name: 'Taro' })).location).to.deep.include(
      {
        field: 'name',
        codePointIndex: 0,
      },
    );
    expect(
      codecError(() => resident.encode({ ...yamada, recordType: '住' })).location.field,
    ).to.equal('recordType');
    expect(
      codecError(() => resident.encode({ ...yamada, nameKana: 'ヤマダ太郎' })).location,
    ).to.deep.include({ field: 'nameKana', codePointIndex: 3, codePoint: 'U+592A' });
  });

  it('rejects bytes that are not CP932, naming field and byte offset', () => {
    const bytes = resident.encode(yamada);
    bytes[17] = 0x81;
    bytes[18] = 0x20;
    expect(codecError(() => resident.decode(bytes)).location).to.deep.include({
      field: 'name',
      byteOffset: 2,
    });
    const unmapped = resident.encode(yamada);
    unmapped[55] = 0x85;
    unmapped[56] = 0x40;
    expect(codecError(() => resident.decode(unmapped)).location).to.deep.include({
      field: 'address',
      byteOffset: 0,
    });
    const high = resident.encode(yamada);
    high[3] = 0xff;
    expect(codecError(() => resident.decode(high)).location).to.deep.include({
      field: 'recordType',
      byteOffset: 3,
    });
  });

  it('rejects bad numbers and out-of-range dates', () => {
    const bytes = resident.encode(yamada);
    bytes.write('6', 95, 'ascii');
    expect(codecError(() => resident.decode(bytes)).message)
      .to.include('birthDate')
      .and.include('era code');
    const month = resident.encode(yamada);
    month.write('13', 106, 'ascii');
    expect(codecError(() => resident.decode(month)).location.field).to.equal('movedOn');
    const digits = resident.encode(yamada);
    digits.write('A', 6, 'ascii');
    expect(codecError(() => resident.decode(digits)).location).to.deep.include({
      field: 'juminhyoCode',
      byteOffset: 2,
    });
    expect(codecError(() => resident.decode(Buffer.alloc(10))).message).to.include('10 bytes');
  });

  it('rejects missing and unknown fields', () => {
    type Input = Parameters<typeof resident.encode>[0];
    const encodeLoose = (record: Record<string, unknown>): Buffer =>
      resident.encode(record as Input);
    const partial = Object.fromEntries(Object.entries(yamada).filter(([key]) => key !== 'address'));
    expect(codecError(() => encodeLoose(partial)).location.field).to.equal('address');
    expect(codecError(() => encodeLoose({ ...yamada, nickname: 'x' })).location.field).to.equal(
      'nickname',
    );
  });

  it('checks layouts when they are defined', () => {
    const field = (name: string, offset: number, length: number): FieldSpec => ({
      name,
      offset,
      length,
      type: 'text',
    });
    const define =
      (fields: FieldSpec[], recordLength = 10) =>
      () =>
        defineLayout({ name: 'bad', recordLength, encoding: 'cp932', fields });
    expect(define([field('a', 0, 6), field('b', 5, 5)])).to.throw(CodecError, /overlaps/);
    expect(define([field('a', 0, 4), field('b', 5, 5)])).to.throw(CodecError, /gap/);
    expect(define([field('a', 0, 4), field('b', 4, 4)])).to.throw(CodecError, /add up to 8/);
    expect(define([field('a', 0, 5), field('a', 5, 5)])).to.throw(CodecError, /twice/);
    expect(
      define([{ name: 'z', offset: 0, length: 9, type: 'zenkaku' }, field('b', 9, 1)]),
    ).to.throw(CodecError, /even/);
    expect(
      define([{ name: 'w', offset: 0, length: 8, type: 'wareki' }, field('b', 8, 2)]),
    ).to.throw(CodecError, /7 bytes/);
  });
});

describe('外字 mapping hook', () => {
  const table: [number, number][] = [[0xe000, 0xf040]];
  const gaiji: GaijiMapping = {
    toBytes: (codePoint) => {
      const entry = table.find(([cp]) => cp === codePoint);
      return entry === undefined ? undefined : Buffer.from([entry[1] >> 8, entry[1] & 0xff]);
    },
    fromBytes: (bytes) => {
      const entry = table.find(([, code]) => code === bytes.readUInt16BE(0));
      return entry === undefined ? undefined : String.fromCodePoint(entry[0]);
    },
  };
  const layout = defineLayout({
    name: 'gaiji',
    recordLength: 8,
    encoding: 'cp932',
    gaiji,
    fields: [{ name: 'name', offset: 0, length: 8, type: 'zenkaku' }],
  });

  it('maps a PUA character to vendor bytes and back', () => {
    const bytes = layout.encode({ name: '山\uE000' });
    expect(bytes.toString('hex')).to.equal('8e52f04081408140');
    expect(layout.decode(bytes)).to.deep.equal({ name: '山\uE000' });
  });

  it('rejects unmapped characters and unmapped vendor bytes', () => {
    expect(codecError(() => layout.encode({ name: '\uE001' })).location.codePoint).to.equal(
      'U+E001',
    );
    const bytes = Buffer.from('8e52f04181408140', 'hex');
    expect(codecError(() => layout.decode(bytes)).location).to.deep.include({
      field: 'name',
      byteOffset: 2,
    });
  });
});

describe('record splitting', () => {
  const small = defineLayout({
    name: 'small',
    recordLength: 6,
    encoding: 'cp932',
    fields: [
      { name: 'id', offset: 0, length: 2, type: 'numeric' },
      { name: 'name', offset: 2, length: 4, type: 'zenkaku' },
    ],
  });
  const records = [
    { id: '01', name: '山田' },
    { id: '02', name: '鈴木' },
    { id: '03', name: '佐藤' },
  ];

  async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of source) out.push(item);
    return out;
  }

  function byteChunks(bytes: Buffer): Buffer[] {
    return [...bytes].map((byte) => Buffer.of(byte));
  }

  for (const separator of ['crlf', 'lf', 'none'] as const) {
    it(`splits ${separator}-separated records fed one byte at a time (auto-detected)`, async () => {
      const file = encodeRecords(small, records, separator);
      const decoded = await collect(decodeRecords(small, Readable.from(byteChunks(file))));
      expect(decoded).to.deep.equal(records);
      const raw = await collect(splitRecords(byteChunks(file), { recordLength: 6, separator }));
      expect(raw.map((record) => record.index)).to.deep.equal([0, 1, 2]);
    });
  }

  it('accepts a last record without separator and a DOS EOF byte', async () => {
    const file = encodeRecords(small, records, 'crlf');
    const trimmed = file.subarray(0, file.length - 2);
    expect(await collect(decodeRecords(small, [trimmed]))).to.have.length(3);
    const withEof = Buffer.concat([file, Buffer.of(0x1a)]);
    expect(await collect(decodeRecords(small, [withEof]))).to.have.length(3);
  });

  it('reports a short last record with its number and byte offset', async () => {
    const file = encodeRecords(small, records, 'crlf');
    const cut = file.subarray(0, file.length - 4);
    try {
      await collect(decodeRecords(small, [cut], 'crlf'));
      expect.fail('expected a CodecError');
    } catch (error) {
      expect(error).to.be.instanceOf(CodecError);
      expect((error as CodecError).location).to.deep.include({ record: 2, byteOffset: 16 });
    }
  });

  it('reports a missing separator and a bad record with its number', async () => {
    const file = encodeRecords(small, records, 'crlf');
    file[14] = 0x41;
    try {
      await collect(splitRecords([file], { recordLength: 6, separator: 'crlf' }));
      expect.fail('expected a CodecError');
    } catch (error) {
      expect((error as CodecError).location).to.deep.include({ record: 1, byteOffset: 14 });
    }
    const bad = encodeRecords(small, records, 'crlf');
    bad[10] = 0xff;
    try {
      await collect(decodeRecords(small, [bad]));
      expect.fail('expected a CodecError');
    } catch (error) {
      expect((error as CodecError).location).to.deep.include({
        layout: 'small',
        record: 1,
        field: 'name',
        byteOffset: 0,
      });
    }
  });
});
