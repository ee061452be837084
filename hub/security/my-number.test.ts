import { expect } from 'chai';
import { containsMyNumber, findMyNumbers, isValidMyNumber, maskMyNumbers } from './my-number.js';
import { maskValue } from './mask.js';

// Synthetic numbers with valid check digits (DOMAIN.md §3.1); never a real person's.
const forms: Record<string, string> = {
  plain: '123456789018',
  dots: '1234.5678.9018',
  'spaced hyphens': '1234 - 5678 - 9018',
  'double spaces': '1234  5678  9018',
  'mixed separators': '1234-5678 9018',
  'dot and space': '6214. 9832. 0257',
  underscores: '9832_0567_3214',
  'middle dots': '3794・7448・4458',
  'en dashes with spaces': '1234 – 5678 – 9018',
  'groups of three': '123 456 789 018',
  'uneven groups': '12 3456789 018',
  'one separator per digit': '1.2.3.4.5.6.7.8.9.0.1.8',
  'full width': '１２３４５６７８９０１８',
  'full width with full-width dots': '１２３４．５６７８．９０１８',
  'kanji numerals': '一二三四五六七八九〇一八',
  'kanji numerals in groups': '六二一四　九八三二　〇二五七',
  'kanji with 零': '一二三四五六七八九零一八',
  'mixed scripts': '1２三4-5678-9〇18',
  'glued in a long digit run': '99999123456789018777',
  'after a 住民票コード in a fixed-width record': '24727059608983205673214',
  'inside a hex run': 'deadbeef123456789018cafe',
  'inside a long hex hash': '9f86d081884c7d659a2f621498320257a3bf4f1b2b0b822cd15d6c15b0f0',
  'in a UUID without a valid version': '00000000-0000-0000-0000-123456789018',
  'in a JSON-escaped line break': '1234\\n5678\\n9018',
  'glued to letters': 'MN123456789018X',
  'in Japanese text': '番号は三七九四七四四八四四五八です',
};

const lookAlikes: Record<string, string> = {
  'wrong check digit': '123456789019',
  'wrong check digit, grouped': '1234-5678-9019',
  'wrong check digit, kanji': '一二三四五六七八九〇一九',
  '11 digits': '12345678901',
  'a 法人番号 (13 digits, no valid window)': '5835678256246',
  'a long run with no valid window': '0312345678901',
  'landline phone number': '03-1234-5678',
  'mobile phone number': '090-1234-5678',
  'phone and date in a list': '03-1234-5678, 2024-01-01',
  'phone then date, separated by a comma only': '03-1234-5678,2024-01-01',
  'date and time': '2026-11-28 12:34:56',
  'ISO time': '2026-11-28T00:59:42.123Z',
  'slash dates in a list': '2024/01/01, 2025/12/31',
  'RFC 4122 UUID (its last group is 12 digits)': '123e4567-e89b-12d3-a456-426614174000',
  'UUID v4': 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  'a SHA-256 hex digest holding a 12-digit run': 'ab123456789018cd'.padEnd(64, 'e'),
  'an all-zero SHA-256 seed': '0'.repeat(64),
  'a W3C traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  'a W3C traceparent with an all-decimal span id':
    '00-d848bd7f87e9747c8b6793422a34f272-1605071933040772-01',
  'kanji numbers with units': '二千二十六年十一月二十八日',
  'comma-separated short values': '1234,5678,9018',
  'an 11-digit id with a one-digit sequence number': '11234567890-3',
};

describe('My Number detector: forms (issue 13 item 6)', () => {
  for (const [name, text] of Object.entries(forms)) {
    it(`finds and masks ${name}`, () => {
      expect(findMyNumbers(text), text).to.have.length.greaterThan(0);
      expect(containsMyNumber(text)).to.equal(true);
      const masked = maskMyNumbers(text);
      expect(masked).to.include('[個人番号]');
      expect(findMyNumbers(masked)).to.deep.equal([]);
    });
  }

  for (const [name, text] of Object.entries(lookAlikes)) {
    it(`passes the look-alike: ${name}`, () => {
      expect(findMyNumbers(text), text).to.deep.equal([]);
      expect(maskMyNumbers(text)).to.equal(text);
    });
  }

  it('reads kanji numerals by their value', () => {
    expect(isValidMyNumber('123456789018')).to.equal(true);
    expect(findMyNumbers('〇〇〇〇〇〇〇〇〇〇一九')).to.have.length(1);
  });

  it('masks a hit exactly, keeping the text around it', () => {
    expect(maskMyNumbers('番号 1234 - 5678 - 9018 です')).to.equal('番号 [個人番号] です');
    expect(maskMyNumbers('a,123456789018,b')).to.equal('a,[個人番号],b');
  });

  it('JSON numbers count only when they are exactly 12 digits', () => {
    expect(containsMyNumber(123456789018)).to.equal(true);
    expect(containsMyNumber(1764745000000)).to.equal(false);
    expect(containsMyNumber(123456789019)).to.equal(false);
  });

  it('a My Number used as an object key is found and masked (keys of nested objects and Maps too)', () => {
    expect(containsMyNumber({ '123456789018': true })).to.equal(true);
    expect(containsMyNumber({ a: { 'ref 6214-9832-0257': 1 } })).to.equal(true);
    expect(containsMyNumber(new Map([['983205673214', 1]]))).to.equal(true);
    expect(containsMyNumber({ reference: 'x' })).to.equal(false);
    const masked = maskValue({ '123456789018': 'a', '621498320257': 'b', plain: 1 });
    expect(masked).to.deep.equal({ '[個人番号]': 'a', '[個人番号]#2': 'b', plain: 1 });
  });
});
