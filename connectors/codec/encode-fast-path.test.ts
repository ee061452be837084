/**
 * The fast encoding paths (per-character CP932 table, fields written straight into the record) are
 * pinned to the checked path they replace: the reference below is the encoder as it was before
 * (iconv-lite round trip per value, a Buffer per field), and every case compares bytes or errors
 * (message, both reasons, location) one for one.
 */
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { CodecError, formatCodePoint } from './errors.js';
import { cp932CodeOf, encodeCp932, type GaijiMapping, type Width } from './cp932.js';
import { defineLayout, type FieldSpec, type InputOf } from './fixed-width.js';
import { halfWidthKanaOf, toHalfWidthKana } from './kana.js';
import { createRandom } from '../../schemas/sample.js';

// ---------------------------------------------------------------------------------------------
// Reference: the checked encoder as it was before the fast paths (kept verbatim in behaviour).

/**
 * The CP932 look-alikes (issue 17), written out here independently of hub/characters.ts: the
 * Unicode-standard form is encoded as the form CP932 holds; YEN SIGN is 0x5C, or ￥ in a 全角 field.
 */
const refLookalikes: Readonly<Record<number, number>> = {
  0x301c: 0xff5e,
  0x2212: 0xff0d,
  0x2016: 0x2225,
  0x00ac: 0xffe2,
  0x2014: 0x2015,
  0x00a2: 0xffe0,
  0x00a3: 0xffe1,
  0x00a6: 0xffe4,
};

function refLookalike(char: string, width: Width): string {
  const code = char.codePointAt(0) ?? 0;
  if (code === 0x00a5) return width === 'double' ? '\uFFE5' : '\\';
  const mapped = refLookalikes[code];
  return mapped === undefined ? char : String.fromCodePoint(mapped);
}

function refEncodeCp932(field: string, value: string, width: Width, gaiji?: GaijiMapping): Buffer {
  let isAscii = true;
  for (let index = 0; index < value.length; index += 1) {
    if (value.charCodeAt(index) > 0x7f) isAscii = false;
  }
  if (width !== 'double' && isAscii) return Buffer.from(value, 'latin1');
  const whole = iconv.encode(value, 'cp932');
  if (iconv.decode(whole, 'cp932') === value) {
    const count = Array.from(value).length;
    if (width === 'any' || whole.length === (width === 'single' ? count : count * 2)) return whole;
  }
  const parts: Buffer[] = [];
  let index = 0;
  for (const original of value) {
    const codePoint = original.codePointAt(0) ?? 0;
    const char = refLookalike(original, width);
    const where = { field, codePointIndex: index, codePoint: formatCodePoint(codePoint) };
    let bytes: Buffer | undefined = iconv.encode(char, 'cp932');
    if (iconv.decode(bytes, 'cp932') !== char) {
      bytes = gaiji?.toBytes(codePoint);
      const first = bytes?.[0];
      const second = bytes?.[1];
      if (
        bytes?.length !== 2 ||
        first === undefined ||
        second === undefined ||
        first < 0xf0 ||
        first > 0xf9 ||
        !((second >= 0x40 && second <= 0x7e) || (second >= 0x80 && second <= 0xfc))
      ) {
        throw new CodecError(
          {
            en: 'character cannot be represented in CP932 (and has no 外字 mapping)',
            ja: 'CP932 で表せない文字です（外字対応なし）',
          },
          where,
        );
      }
    }
    if (width === 'single' && bytes.length !== 1) {
      throw new CodecError(
        { en: 'full-width character in a half-width field', ja: '半角項目に全角文字があります' },
        where,
      );
    }
    if (width === 'double' && bytes.length !== 2) {
      throw new CodecError(
        {
          en: 'half-width character in a full-width (zenkaku) field',
          ja: '全角項目に半角文字があります',
        },
        where,
      );
    }
    parts.push(bytes);
    index += 1;
  }
  return Buffer.concat(parts);
}

function refFieldError(
  field: FieldSpec,
  en: string,
  ja: string,
  location: Record<string, unknown> = {},
): CodecError {
  return new CodecError({ en, ja }, { field: field.name, ...location });
}

function refRequireString(field: FieldSpec, value: unknown): string {
  if (typeof value !== 'string') {
    throw refFieldError(
      field,
      `expected a string, got ${value === null ? 'null' : typeof value}`,
      '文字列が必要です',
    );
  }
  let index = 0;
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      throw refFieldError(field, 'control character in a fixed-width field', '制御文字があります', {
        codePointIndex: index,
        codePoint: formatCodePoint(code),
      });
    }
    index += 1;
  }
  return value;
}

function refPad(field: FieldSpec, bytes: Buffer, padding: Buffer): Buffer {
  if (bytes.length > field.length) {
    throw refFieldError(
      field,
      `value is too long: ${bytes.length} bytes for a field of ${field.length} bytes`,
      `値が長すぎます（${bytes.length} バイト、上限 ${field.length} バイト）`,
    );
  }
  const out = Buffer.alloc(field.length);
  bytes.copy(out);
  for (let at = bytes.length; at < field.length; at += padding.length) padding.copy(out, at);
  return out;
}

function refNumeric(field: FieldSpec, value: unknown): Buffer {
  let digits: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw refFieldError(
        field,
        'a numeric field holds a whole number ≥ 0',
        '数字項目は 0 以上の整数です',
      );
    }
    digits = String(value);
  } else {
    digits = refRequireString(field, value);
    const bad = digits.search(/[^0-9]/);
    if (bad >= 0 || digits === '') {
      throw refFieldError(
        field,
        'a numeric field holds ASCII digits only',
        '数字項目は半角数字のみです',
        { codePointIndex: Math.max(bad, 0) },
      );
    }
  }
  if (digits.length > field.length) {
    throw refFieldError(
      field,
      `value is too long: ${digits.length} bytes for a field of ${field.length} bytes`,
      `値が長すぎます（${digits.length} バイト、上限 ${field.length} バイト）`,
    );
  }
  return Buffer.from(digits.padStart(field.length, '0'), 'ascii');
}

function refField(field: FieldSpec, value: unknown, gaiji: GaijiMapping | undefined): Buffer {
  switch (field.type) {
    case 'numeric':
      return refNumeric(field, value);
    case 'text':
      return refPad(
        field,
        refEncodeCp932(field.name, refRequireString(field, value), 'single', gaiji),
        Buffer.from(' '),
      );
    case 'zenkaku':
      return refPad(
        field,
        refEncodeCp932(field.name, refRequireString(field, value), 'double', gaiji),
        Buffer.from([0x81, 0x40]),
      );
    case 'kana-half': {
      const half = toHalfWidthKana(refRequireString(field, value), {
        other: 'error',
        field: field.name,
      });
      return refPad(field, refEncodeCp932(field.name, half, 'single'), Buffer.from(' '));
    }
    case 'wareki':
    case 'date':
      throw new Error(`the reference does not cover ${field.type}`);
  }
}

function refEncode(
  layout: string,
  recordLength: number,
  fields: readonly FieldSpec[],
  values: Readonly<Record<string, unknown>>,
  gaiji?: GaijiMapping,
): Buffer {
  const out = Buffer.alloc(recordLength);
  const known = new Set(fields.map((field) => field.name));
  try {
    for (const key of Object.keys(values)) {
      if (!known.has(key)) {
        throw new CodecError({ en: 'unknown field', ja: '様式にない項目です' }, { field: key });
      }
    }
    for (const field of fields) {
      if (!(field.name in values)) throw refFieldError(field, 'missing field', '項目がありません');
      refField(field, values[field.name], gaiji).copy(out, field.offset);
    }
  } catch (error) {
    throw error instanceof CodecError ? error.within({ layout }) : error;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outcomes compared one for one.

type Outcome =
  | { readonly bytes: string }
  | {
      readonly error: string;
      readonly ja: string;
      readonly en: string;
      readonly location: unknown;
    };

function outcome(action: () => Buffer): Outcome {
  try {
    return { bytes: action().toString('hex') };
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return {
      error: error.message,
      ja: error.reason.ja,
      en: error.reason.en,
      location: error.location,
    };
  }
}

/** Deterministic PRNG (mulberry32), so a failure names a reproducible case. */
const random = createRandom;

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, offset) => String.fromCodePoint(from + offset));

/** Character classes: what fixed-width fields meet, and what they must refuse. */
const classes: Readonly<Record<string, readonly string[]>> = {
  asciiPrintable: range(0x20, 0x7e),
  digits: range(0x30, 0x39),
  asciiControl: [...range(0x00, 0x1f), '\u007f'],
  halfWidthKana: range(0xff61, 0xff9f),
  fullWidthKatakana: range(0x30a1, 0x30ff),
  hiragana: [...range(0x3041, 0x3096), ...range(0x3099, 0x309f)],
  spacesAndPunctuation: ['\u3000', '。', '「', '」', '、', '・', 'ー', '〜', '～', '－', '―', '‐'],
  kanji: [
    ...Array.from('山田太郎鈴木花子東京都千代田区神田錦町丁目番地見本髙﨑德鷗𠮷'),
    ...range(0x4e00, 0x4eff),
  ],
  cp932Kanji: range(0x4e00, 0x9fff).filter(
    (char) => iconv.decode(iconv.encode(char, 'cp932'), 'cp932') === char,
  ),
  fullWidthAscii: range(0xff01, 0xff5e),
  necIbmExtensions: [
    ...Array.from('①②⑳ⅠⅩ㈱㈲№℡∵∪≒纊褜鍈銈蓜俉炻昱棈鋹曻彅'),
    '\uffe2',
    '\uffe4',
    '\uff07',
  ],
  latinAndSymbols: ['¥', '‾', '¢', '£', '¬', '§', '¨', '°', '±', '´', '¶', '×', '÷', '\u0080', '€'],
  // 住基ネット統一文字 that CP932 cannot carry: 外字 placeholders in the private use area, IVS
  // sequences, CJK extension B, emoji, and lone surrogates.
  toitsuMoji: [
    ...range(0xe000, 0xe00f),
    '\ue0ff',
    '\ue100',
    '\uf8ff',
    '葛\u{e0100}',
    '辻\u{e0101}',
    '\u{20b9f}',
    '\u{2a6b2}',
    '🍣',
    '\ud842',
    '\udfb7',
  ],
};
const classNames = Object.keys(classes);

function randomText(next: () => number, maxLength: number): string {
  const count = 1 + Math.floor(next() * 3);
  const picked = Array.from(
    { length: count },
    () => classes[classNames[Math.floor(next() * classNames.length)] ?? ''] ?? [],
  );
  const length = Math.floor(next() * (maxLength + 1));
  let text = '';
  for (let index = 0; index < length; index += 1) {
    const pool = picked[Math.floor(next() * picked.length)] ?? [];
    text += pool[Math.floor(next() * pool.length)] ?? '';
  }
  return text;
}

function randomValue(next: () => number, maxLength: number): unknown {
  const roll = next();
  if (roll < 0.9) return randomText(next, maxLength);
  if (roll < 0.96) {
    const numbers = [0, -0, 7, 42, 12345678901, -1, 1.5, 2 ** 53, Number.NaN, Infinity];
    return numbers[Math.floor(next() * numbers.length)];
  }
  const others = [null, undefined, { value: '1' }, ['1'], true];
  return others[Math.floor(next() * others.length)];
}

/** 外字 in the user area: U+E000–U+E0FF → F040…, U+E100 → one byte (a broken mapping). */
const gaiji: GaijiMapping = {
  toBytes(codePoint) {
    if (codePoint === 0xe100) return Buffer.from([0x41]);
    if (codePoint < 0xe000 || codePoint > 0xe0ff) return undefined;
    const offset = codePoint - 0xe000;
    const trail = 0x40 + (offset % 188);
    return Buffer.from([0xf0 + Math.floor(offset / 188), trail >= 0x7f ? trail + 1 : trail]);
  },
  fromBytes: () => undefined,
};

// ---------------------------------------------------------------------------------------------

describe('CP932 fast paths agree with the checked path', () => {
  it('the per-character table holds what iconv-lite round-trips, for every UTF-16 code unit', () => {
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      const char = String.fromCharCode(unit);
      const bytes = iconv.encode(char, 'cp932');
      const roundTrips = (unit < 0xd800 || unit > 0xdfff) && iconv.decode(bytes, 'cp932') === char;
      const lookalike = unit === 0xa5 ? 0x5c : refLookalikes[unit];
      if (lookalike !== undefined) {
        // A look-alike holds the code of the form CP932 has (¥ the byte 0x5C).
        const target = iconv.encode(String.fromCharCode(lookalike), 'cp932');
        const code =
          target.length === 1 ? (target[0] ?? -1) : ((target[0] ?? 0) << 8) | (target[1] ?? 0);
        if (cp932CodeOf(unit) !== code) expect.fail(`${formatCodePoint(unit)}: look-alike`);
        continue;
      }
      const expected = !roundTrips
        ? -1
        : bytes.length === 1
          ? (bytes[0] ?? -1)
          : ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
      if (cp932CodeOf(unit) !== expected) {
        expect.fail(`${formatCodePoint(unit)}: table ${cp932CodeOf(unit)}, iconv-lite ${expected}`);
      }
    }
  });

  it('ASCII is itself and U+FF61–U+FF9F are the bytes 0xA1–0xDF, as iconv-lite says', () => {
    for (let unit = 0; unit <= 0x7f; unit += 1) {
      expect(cp932CodeOf(unit)).to.equal(unit);
      expect([...iconv.encode(String.fromCharCode(unit), 'cp932')]).to.deep.equal([unit]);
    }
    for (let unit = 0xff61; unit <= 0xff9f; unit += 1) {
      const byte = unit - 0xff61 + 0xa1;
      expect(cp932CodeOf(unit)).to.equal(byte);
      expect([...iconv.encode(String.fromCharCode(unit), 'cp932')]).to.deep.equal([byte]);
    }
    expect(cp932CodeOf(0x00a5)).to.equal(0x5c, '¥ is written as 0x5C (a look-alike, issue 17)');
    expect(cp932CodeOf(0x3000)).to.equal(0x8140);
  });

  it('iconv-lite encodes a string as the concatenation of its characters', () => {
    const chars: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      // Look-alikes (and ¥) are mapped before iconv-lite sees them; they are covered above.
      if (cp932CodeOf(unit) >= 0 && unit !== 0xa5 && refLookalikes[unit] === undefined) {
        chars.push(String.fromCharCode(unit));
      }
    }
    const next = random(932);
    for (let index = chars.length - 1; index > 0; index -= 1) {
      const other = Math.floor(next() * (index + 1));
      [chars[index], chars[other]] = [chars[other] ?? '', chars[index] ?? ''];
    }
    const text = chars.join('');
    const bytes: number[] = [];
    for (const char of chars) {
      const code = cp932CodeOf(char.charCodeAt(0));
      if (code < 0x100) bytes.push(code);
      else bytes.push(code >>> 8, code & 0xff);
    }
    const whole = iconv.encode(text, 'cp932');
    expect(whole.equals(Buffer.from(bytes))).to.equal(true);
    expect(iconv.decode(whole, 'cp932')).to.equal(text);
  });

  it('encodeCp932 gives the same bytes or error for 8,000 random strings in every width', () => {
    const next = random(8_000);
    let encoded = 0;
    for (let round = 0; round < 8_000; round += 1) {
      const text = randomText(next, 12);
      for (const width of ['single', 'double', 'any'] as const) {
        for (const mapping of [undefined, gaiji]) {
          const actual = outcome(() => encodeCp932('f', text, width, mapping));
          const expected = outcome(() => refEncodeCp932('f', text, width, mapping));
          if ('bytes' in expected) encoded += 1;
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            expect(actual, `round ${round}, ${width}, ${JSON.stringify(text)}`).to.deep.equal(
              expected,
            );
          }
        }
      }
    }
    // Both outcomes are exercised, not just the errors.
    expect(encoded).to.be.within(8_000, 40_000);
  });

  const fields = [
    { name: 'no', offset: 0, length: 5, type: 'numeric' },
    { name: 'code', offset: 5, length: 3, type: 'text' },
    { name: 'name', offset: 8, length: 10, type: 'zenkaku' },
    { name: 'kana', offset: 18, length: 9, type: 'kana-half', kana: 'half' },
    { name: 'odd', offset: 27, length: 1, type: 'text' },
    { name: 'address', offset: 28, length: 6, type: 'zenkaku' },
    { name: 'hash', offset: 34, length: 16, type: 'text' },
  ] as const;
  const layouts = [
    {
      name: 'plain',
      layout: defineLayout({ name: 'plain', recordLength: 50, encoding: 'cp932', fields }),
    },
    {
      name: 'with-gaiji',
      layout: defineLayout({
        name: 'with-gaiji',
        recordLength: 50,
        encoding: 'cp932',
        fields,
        gaiji,
      }),
    },
  ];

  it('layout encode gives the same record or error for 10,000 random records', () => {
    const next = random(10_000);
    let encoded = 0;
    for (let round = 0; round < 10_000; round += 1) {
      const values: Record<string, unknown> = {};
      // Most records are plain throughout (the fast path end to end); the rest mix in anything.
      const plainShare = next() < 0.6 ? 1 : 0.7;
      for (const field of fields) {
        const roll = next();
        if (roll < 0.005) continue; // missing
        values[field.name] =
          roll < plainShare ? plainValue(field, next) : randomValue(next, field.length + 2);
      }
      if (next() < 0.01) values['extra'] = 'x';
      for (const { name, layout } of layouts) {
        const mapping = name === 'with-gaiji' ? gaiji : undefined;
        const actual = outcome(() => layout.encode(values as InputOf<typeof fields>));
        const expected = outcome(() => refEncode(name, 50, fields, values, mapping));
        if ('bytes' in expected) encoded += 1;
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          expect(actual, `round ${round}, ${name}, ${JSON.stringify(values)}`).to.deep.equal(
            expected,
          );
        }
      }
    }
    expect(encoded).to.be.within(3_000, 17_000);
  });

  it('every CP932 character (and every 16th other code unit) alone in a field: same bytes or error', () => {
    const single = [
      { name: 'text', offset: 0, length: 4, type: 'text' },
      { name: 'zenkaku', offset: 4, length: 4, type: 'zenkaku' },
      { name: 'kana', offset: 8, length: 4, type: 'kana-half' },
    ] as const;
    const layout = defineLayout({
      name: 'one',
      recordLength: 12,
      encoding: 'cp932',
      fields: single,
    });
    for (const field of single) {
      const base = { text: 'A', zenkaku: '山', kana: 'ｱ' };
      for (let unit = 0; unit <= 0xffff; unit += 1) {
        if (cp932CodeOf(unit) < 0 && unit % 16 !== 0 && halfWidthKanaOf(unit) === undefined) {
          continue;
        }
        const values = { ...base, [field.name]: String.fromCharCode(unit) };
        const actual = outcome(() => layout.encode(values));
        const expected = outcome(() => refEncode('one', 12, single, values));
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          expect(actual, `${field.name} ${formatCodePoint(unit)}`).to.deep.equal(expected);
        }
      }
    }
  });

  it('keeps the errors of the plain-looking cases the fast path hands over', () => {
    const layout = layouts[0]?.layout;
    if (layout === undefined) throw new Error('no layout');
    const base = {
      no: 1,
      code: 'AB',
      name: '山田',
      kana: 'ﾔﾏﾀﾞ',
      odd: 'x',
      address: '東京',
      hash: '0123456789abcdef',
    };
    const cases: Record<string, unknown>[] = [
      // A control character after an unencodable one: the control character is reported.
      { ...base, code: '住\u0001' },
      // Full-width kana that grows past the field when made half-width: the grown length is named.
      { ...base, kana: 'ガギグゲゴ' },
      // Too long by one byte, in each kind of field.
      { ...base, no: '123456' },
      { ...base, no: 123456 },
      { ...base, code: 'ABCD' },
      { ...base, name: '山田太郎花子' },
      { ...base, kana: 'ｱｲｳｴｵｶｷｸｹｺ' },
      // Digits that are not ASCII, an empty number, a negative number.
      { ...base, no: '１２' },
      { ...base, no: '' },
      { ...base, no: -1 },
      // Half-width in a zenkaku field, full-width in a text field, kanji in a kana field.
      { ...base, name: '山a' },
      { ...base, code: 'Ａ' },
      { ...base, kana: 'ﾔﾏﾀﾞ太' },
      // Not strings.
      { ...base, code: 12 },
      { ...base, name: null },
    ];
    for (const values of cases) {
      const actual = outcome(() => layout.encode(values as InputOf<typeof fields>));
      expect(actual).to.have.property('error');
      expect(actual).to.deep.equal(outcome(() => refEncode('plain', 50, fields, values)));
    }
    expect(outcome(() => layout.encode(base))).to.deep.equal(
      outcome(() => refEncode('plain', 50, fields, base)),
    );
  });
});

/** A value of the field's own kind, so the fast path is taken most of the time. */
function plainValue(field: FieldSpec, next: () => number): unknown {
  const pick = (name: string, length: number): string => {
    const pool = classes[name] ?? [];
    let text = '';
    for (let index = 0; index < length; index += 1) {
      text += pool[Math.floor(next() * pool.length)] ?? '';
    }
    return text;
  };
  // Up to the field's length, now and then one more (too long, or not when kana shrink it).
  const length = Math.floor(next() * (field.length + 1)) + (next() < 0.05 ? 1 : 0);
  switch (field.type) {
    case 'numeric':
      return next() < 0.5 ? pick('digits', length) : Math.floor(next() * 10 ** length);
    case 'text':
      return next() < 0.7 ? pick('asciiPrintable', length) : pick('halfWidthKana', length);
    case 'zenkaku':
      return pick(next() < 0.5 ? 'cp932Kanji' : 'fullWidthKatakana', Math.floor(length / 2));
    case 'kana-half':
      return next() < 0.5 ? pick('halfWidthKana', length) : pick('fullWidthKatakana', length);
    case 'wareki':
    case 'date':
      return null;
  }
}
