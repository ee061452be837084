import { expect } from 'chai';
import { containsMyNumber, findMyNumbers, maskMyNumbers } from './my-number.js';
import {
  maskFixedWidthRecord,
  maskFixedWidthRecords,
  maskKindOf,
  maskText,
  maskValue,
  scanForLeaks,
  type MaskableLayout,
} from './mask.js';
import { validMyNumbersIn } from '../../test/support/my-number-scan.js';

// Synthetic numbers with valid check digits (DOMAIN.md §3.1); never a real person's.
const valid = ['123456789018', '621498320257', '983205673214', '379474484458'] as const;

const leaks: { name: string; value: unknown }[] = [
  { name: 'plain string', value: '123456789018' },
  { name: 'myNumber field', value: { myNumber: '621498320257' } },
  { name: 'nested field under another name', value: { a: { b: { c: { note: '983205673214' } } } } },
  { name: 'array element', value: { items: ['x', 'y', ['379474484458']] } },
  { name: 'array of objects', value: [{ id: 1 }, { remarks: ['ok', '本人 123456789018'] }] },
  { name: 'full-width digits', value: { memo: '１２３４５６７８９０１８' } },
  { name: 'hyphenated', value: { memo: '1234-5678-9018' } },
  { name: 'full-width hyphens', value: { memo: '９８３２－０５６７－３２１４' } },
  { name: 'spaced in groups', value: { memo: '6214 9832 0257' } },
  { name: 'ideographic spaces', value: { memo: '３７９４　７４４８　４４５８' } },
  { name: 'one space per digit', value: { memo: '1 2 3 4 5 6 7 8 9 0 1 8' } },
  { name: 'inside Japanese free text', value: { memo: '個人番号は123456789018です。' } },
  { name: 'glued to kanji', value: '番号983205673214様' },
  { name: 'katakana long-vowel separators', value: 'コード6214ー9832ー0257' },
  { name: 'line breaks', value: '1234\n5678\n9018' },
  { name: 'JSON number', value: { n: 379474484458 } },
  { name: 'after an invalid overlapping window', value: '00 1234567890 18' },
  { name: 'after a phone number', value: 'TEL 03-1234-5678 123456789018' },
  { name: 'in an error message', value: new Error('lookup failed for 621498320257') },
  { name: 'in a Map', value: new Map([['k', '983205673214']]) },
  { name: 'glued in front of a longer run', value: '1234567890185' },
  { name: 'glued behind a longer run', value: '9123456789018' },
  { name: 'as an object key', value: { '123456789018': 'x' } },
  { name: 'as a nested object key', value: { a: [{ 'id 6214-9832-0257': 1 }] } },
];

const lookAlikes: string[] = [
  '123456789012',
  '621498320258',
  '12345678901',
  '0312345678901',
  '03-1234-5678',
  '090-1234-5678',
  '2024-11-28',
  '20241128',
  '2026-11-28T00:59:42.123Z',
  '令和5年4月1日',
  '住民票コード 24727059608',
  'messageId 123e4567-e89b-12d3-a456-426614174000',
  'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  '1234 5678 9012',
];

describe('My Number leak detection', () => {
  for (const { name, value } of leaks) {
    it(`detects and masks: ${name}`, () => {
      const masked = maskValue(value);
      const text = JSON.stringify(masked);
      expect(scanForLeaks(text), text).to.deep.equal([]);
      for (const number of valid) expect(text).not.to.include(number);
      if (!(value instanceof Error) && !(value instanceof Map)) {
        expect(containsMyNumber(value)).to.equal(true);
        expect(scanForLeaks(JSON.stringify(value))).not.to.deep.equal([]);
      }
    });
  }

  for (const text of lookAlikes) {
    it(`does not flag the look-alike ${JSON.stringify(text)}`, () => {
      expect(containsMyNumber(text)).to.equal(false);
      expect(scanForLeaks(text)).to.deep.equal([]);
      expect(maskText(text)).to.equal(text);
    });
  }

  it('reports where, not what', () => {
    expect(scanForLeaks('a 123456789018 b 621498320257')).to.deep.equal([
      { kind: 'my-number', index: 2 },
      { kind: 'my-number', index: 17 },
    ]);
  });

  it('merges overlapping hits into one mask', () => {
    expect(findMyNumbers('00 1234567890 18')).to.have.length(1);
    expect(maskMyNumbers('x 123456789018 y')).to.equal('x [個人番号] y');
  });
});

describe('maskValue', () => {
  it('masks personal fields by name and keeps the shape', () => {
    const masked = maskValue({
      messageId: 'm-1',
      resident: {
        name: { surname: '山田', given: '太郎' },
        nameKana: 'ヤマダ　タロウ',
        address: { choaza: '千代田', banchiGo: '1-1' },
        currentMyNumber: '123456789018',
        birthDate: '1975-04-01',
        previousName: null,
      },
      householderName: '山田　一郎',
      pdf: 'JVBERi0x',
      ipAddress: '127.0.0.1',
    });
    expect(masked).to.deep.equal({
      messageId: 'm-1',
      resident: {
        name: '[氏名]',
        nameKana: '[氏名]',
        address: '[住所]',
        currentMyNumber: '[個人番号]',
        birthDate: '[生年月日]',
        previousName: null,
      },
      householderName: '[氏名]',
      pdf: '[文書]',
      ipAddress: '127.0.0.1',
    });
  });

  it('does not modify its input and survives cycles', () => {
    const input: Record<string, unknown> = { name: '山田', memo: '123456789018' };
    input['self'] = input;
    const masked = maskValue(input) as Record<string, unknown>;
    expect(input['name']).to.equal('山田');
    expect(masked['memo']).to.equal('[個人番号]');
    expect(masked['self']).to.equal('[循環参照]');
  });

  it('classifies keys', () => {
    expect(maskKindOf('newMyNumber')).to.equal('myNumber');
    expect(maskKindOf('mynumberHash')).to.equal('myNumber');
    expect(maskKindOf('formerSurname')).to.equal('name');
    expect(maskKindOf('givenNameKana')).to.equal('name');
    expect(maskKindOf('foreignAddress')).to.equal('address');
    expect(maskKindOf('previousAddress')).to.equal('address');
    expect(maskKindOf('remoteAddress')).to.equal(undefined);
    expect(maskKindOf('schema')).to.equal(undefined);
  });

  it('masks binary data', () => {
    expect(maskValue({ blob: Buffer.from('123456789018') })).to.deep.equal({ blob: '[バイナリ]' });
  });
});

describe('maskFixedWidthRecord (masking by layout position)', () => {
  // recordNo 9(8) | 住民票コード 9(11) | 個人番号 9(12) | 連番 9(6) | 氏名 X(10): digits glued on both sides.
  // A layout as masking reads it (hub/ does not import codecs; the connectors' layouts fit this shape).
  const layout: MaskableLayout = {
    recordLength: 47,
    fields: [
      { name: 'recordNo', offset: 0, length: 8 },
      { name: 'juminhyoCode', offset: 8, length: 11 },
      { name: 'myNumber', offset: 19, length: 12 },
      { name: 'serial', offset: 31, length: 6 },
      { name: 'kojinBango2', offset: 37, length: 10, personal: 'myNumber' },
    ],
  };
  const numbers = ['621498320257', '983205673214', '379474484458', '123456789018'];

  for (const number of numbers) {
    it(`masks ${number.slice(0, 2)}… between digits by position, keeping the neighbours`, () => {
      const bytes = Buffer.from(`1234567898765432109${number}424242${' '.repeat(10)}`, 'latin1');
      expect(validMyNumbersIn(bytes.toString('latin1'))).to.include(number); // the oracle sees it
      const masked = maskFixedWidthRecord(layout, bytes);
      expect(masked.length).to.equal(bytes.length);
      expect(validMyNumbersIn(masked.toString('latin1'))).not.to.include(number);
      expect(masked.toString('latin1')).to.equal(
        `1234567898765432109${'*'.repeat(12)}424242${'*'.repeat(10)}`,
      );
    });
  }

  it('masks a string record by CP932 byte position, and every record of a file', () => {
    const text = `0000000198765432109${numbers[0] ?? ''}000001${'ﾔﾏﾀﾞ'.padEnd(10, ' ')}`;
    const masked = maskFixedWidthRecord(layout, text);
    expect(masked).to.equal(`0000000198765432109${'*'.repeat(12)}000001${'*'.repeat(10)}`);
    const file = Buffer.from(`${text}\r\n${text}\r\n`, 'latin1');
    const maskedFile = maskFixedWidthRecords(layout, file).toString('latin1');
    expect(validMyNumbersIn(maskedFile)).not.to.include(numbers[0]);
    expect(
      maskedFile
        .split('\r\n')
        .slice(0, 2)
        .every((line) => line.startsWith('0000000198765432109***')),
    ).to.equal(true);
  });
});
