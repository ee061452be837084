/**
 * A generated corpus of ways a My Number can be written into a message, for the leak tests. It is
 * built from the rule (DOMAIN.md §3.1) with the tests' own check-digit helper, not from the forms
 * the hub's detector knows: every separator class at one, two and three characters, several
 * groupings, ASCII, full-width and kanji numerals, free text, glued runs; placed in body values,
 * object keys, JSON numbers, split fields, AMQP properties, header names and values, routing keys and
 * file names. Deterministic (a fixed seed), so a failure names the same case every run.
 */
import { myNumberCheckDigit, withCheckDigit } from './my-number-scan.js';
import { createRandom } from '../../schemas/sample.js';

/** Separator classes a person or a legacy system writes between digit groups. */
export const separatorClasses: Readonly<Record<string, string>> = {
  space: ' ',
  'no-break space': '\u00a0',
  'ideographic space': '\u3000',
  tab: '\t',
  'line break': '\n',
  'JSON-escaped line break': '\\n',
  hyphen: '-',
  'full-width hyphen': '\uff0d',
  minus: '\u2212',
  'en dash': '\u2013',
  'em dash': '\u2014',
  'katakana long vowel': '\u30fc',
  'half-width long vowel': '\uff70',
  dot: '.',
  'full-width dot': '\uff0e',
  'middle dot': '\u30fb',
  underscore: '_',
};

/** Digit groupings (sizes add up to 12). */
export const groupings: readonly (readonly number[])[] = [
  [4, 4, 4],
  [3, 3, 3, 3],
  [6, 6],
  [2, 2, 2, 2, 2, 2],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
];

const kanji = '〇一二三四五六七八九';

/** Digit forms: how each ASCII digit is written. */
export const digitForms: Readonly<Record<string, (digit: string) => string>> = {
  ascii: (digit) => digit,
  'full width': (digit) => String.fromCharCode(0xff10 + Number(digit)),
  kanji: (digit) => kanji[Number(digit)] ?? digit,
  'kanji with 零': (digit) => (digit === '0' ? '零' : (kanji[Number(digit)] ?? digit)),
};

/** A small deterministic generator (mulberry32), so the corpus is the same every run. */
const random = createRandom;

/** `count` valid My Numbers (12 ASCII digits), check digits by the tests' own helper. */
export function generatedNumbers(count: number, seed = 20261203): string[] {
  const next = random(seed);
  const numbers: string[] = [];
  while (numbers.length < count) {
    let base = '';
    for (let index = 0; index < 11; index += 1) base += String(Math.floor(next() * 10));
    numbers.push(withCheckDigit(base));
  }
  return numbers;
}

/** The same 11 base digits with a wrong check digit: not a My Number. */
export function wrongCheckDigit(number: string): string {
  const base = number.slice(0, 11);
  return `${base}${String((myNumberCheckDigit(base) + 1) % 10)}`;
}

/** One way of writing a number as text. */
export interface Writing {
  readonly label: string;
  readonly text: string;
}

/** Writes `number` in `form`, grouped by `sizes`, joined by `separator`. */
export function write(
  number: string,
  form: (digit: string) => string,
  sizes: readonly number[],
  separator: string,
): string {
  const digits = Array.from(number).map(form);
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    groups.push(digits.slice(at, at + size).join(''));
    at += size;
  }
  return groups.join(separator);
}

/** Every separator class × count (1-3) × grouping × digit form, plus unseparated and in context. */
export function writingsOf(number: string): Writing[] {
  const writings: Writing[] = [];
  for (const [formName, form] of Object.entries(digitForms)) {
    writings.push({ label: `${formName}, no separator`, text: write(number, form, [12], '') });
    for (const [separatorName, separator] of Object.entries(separatorClasses)) {
      for (let count = 1; count <= 3; count += 1) {
        for (const sizes of groupings) {
          writings.push({
            label: `${formName}, ${sizes.join('-')}, ${String(count)}× ${separatorName}`,
            text: write(number, form, sizes, separator.repeat(count)),
          });
        }
      }
    }
    writings.push({
      label: `${formName}, 4-4-4, mixed " - "`,
      text: write(number, form, [4, 4, 4], ' - '),
    });
  }
  const plain = number;
  writings.push(
    {
      label: 'mixed ASCII and full width',
      text: write(
        number,
        (d) => (Number(d) % 2 === 0 ? d : String.fromCharCode(0xff10 + Number(d))),
        [12],
        '',
      ),
    },
    { label: 'inside Japanese free text', text: `備考：本人の個人番号は${plain}です。` },
    {
      label: 'inside Japanese free text, grouped',
      text: `番号 ${write(plain, (d) => d, [4, 4, 4], '-')} で照会`,
    },
    { label: 'inside English free text', text: `customer number ${plain} called` },
    { label: 'glued after an 11-digit 住民票コード', text: `24727059608${plain}` },
    { label: 'glued inside a longer run', text: `0${plain}0` },
    { label: 'glued inside hex', text: `deadbeef${plain}cafe` },
    {
      label: 'after a line break in a memo',
      text: `1行目\n${write(plain, (d) => d, [4, 4, 4], '\n')}`,
    },
    { label: 'in a URL path', text: `/residents/${plain}/card` },
    { label: 'in a query string', text: `?q=${plain}&x=1` },
  );
  return writings;
}

/** Where in a message a number is put. */
export type Placement =
  | 'body value'
  | 'nested body value'
  | 'array item'
  | 'array in array'
  | 'object key'
  | 'nested object key'
  | 'property'
  | 'header name'
  | 'header value'
  | 'nested header key'
  | 'nested header value'
  | 'header array'
  | 'routing key'
  | 'file name';

/** A message (or part of one) holding a My Number. */
export interface LeakCase {
  readonly label: string;
  /** The number it holds (12 ASCII digits). */
  readonly number: string;
  readonly body?: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly routingKey?: string;
  readonly fileName?: string;
  /** For split fields: the values that only together hold the number. */
  readonly split?: readonly string[];
}

/** AMQP properties a publisher sets freely (user_id is checked by RabbitMQ, so it is left out). */
export const amqpStringProperties = [
  'messageId',
  'correlationId',
  'type',
  'appId',
  'replyTo',
  'contentType',
  'contentEncoding',
  'clusterId',
] as const;

/** Places `text` (holding `number`) everywhere a message can carry it. */
export function placements(number: string, writing: Writing): LeakCase[] {
  const text = writing.text;
  const at = (placement: Placement, rest: Omit<LeakCase, 'label' | 'number'>): LeakCase => ({
    label: `${placement}: ${writing.label}`,
    number,
    ...rest,
  });
  return [
    at('body value', { body: { note: text } }),
    at('nested body value', { body: { a: { b: { c: { d: text } } } } }),
    at('array item', { body: { list: ['x', text] } }),
    at('array in array', { body: { list: ['x', ['y', text]] } }),
    at('object key', { body: { [text]: true } }),
    at('nested object key', { body: { byNumber: { [text]: { ok: true } } } }),
    ...amqpStringProperties.map((name) => at('property', { properties: { [name]: `x-${text}` } })),
    at('header name', { headers: { [`x-ref-${text}`]: 'yes' } }),
    at('header value', { headers: { 'x-ref': text } }),
    at('nested header key', { headers: { 'x-meta': { [text]: 1 } } }),
    at('nested header value', { headers: { 'x-meta': { inner: { ref: text } } } }),
    at('header array', { headers: { 'x-list': ['a', text] } }),
    at('routing key', { routingKey: `test.note.recorded.${text}` }),
    at('file name', { fileName: `juki_${text}_20261203.csv` }),
  ];
}

/** Numbers as JSON numbers and split across fields: forms that are no single string. */
export function structuralCases(number: string): LeakCase[] {
  const value = Number(number);
  const four = [number.slice(0, 4), number.slice(4, 8), number.slice(8)];
  const six = [number.slice(0, 6), number.slice(6)];
  const wide = (digits: string) =>
    Array.from(digits)
      .map((d) => String.fromCharCode(0xff10 + Number(d)))
      .join('');
  return [
    { label: 'JSON number', number, body: { value } },
    { label: 'JSON number in an array', number, body: { values: [1, 2, value] } },
    { label: 'JSON number as a header value', number, headers: { 'x-n': value } },
    { label: 'JSON number as the timestamp property', number, properties: { timestamp: value } },
    {
      label: 'split fields: three object values',
      number,
      body: { first: four[0], middle: four[1], last: four[2] },
      split: four,
    },
    {
      label: 'split fields: two array items',
      number,
      body: { parts: six },
      split: six,
    },
    {
      label: 'split fields: full width, nested',
      number,
      body: { card: { head: wide(six[0] ?? ''), tail: wide(six[1] ?? '') } },
      split: six.map(wide),
    },
    {
      label: 'split fields: with other fields around them',
      number,
      body: { kind: 'x', a: four[0], b: four[1], c: four[2], note: 'ok' },
      split: four,
    },
  ];
}

/** The whole corpus for `count` generated numbers (each number gets every writing and placement). */
export function leakCorpus(count = 3): LeakCase[] {
  const cases: LeakCase[] = [];
  const numbers = generatedNumbers(count);
  numbers.forEach((number, index) => {
    const writings = writingsOf(number);
    // Every writing as a body value (all numbers); every placement for a rotating share of the
    // writings, so all placements meet every separator class and form across the numbers.
    for (const [position, writing] of writings.entries()) {
      if (position % count === index) cases.push(...placements(number, writing));
      else
        cases.push({ label: `body value: ${writing.label}`, number, body: { note: writing.text } });
    }
    cases.push(...structuralCases(number));
  });
  return cases;
}

/** Look-alikes that must pass: wrong check digits in the same writings, and ordinary codes. */
export function lookAlikeCorpus(count = 3): { label: string; body: unknown }[] {
  const cases: { label: string; body: unknown }[] = [];
  for (const number of generatedNumbers(count, 777)) {
    const wrong = wrongCheckDigit(number);
    for (const [formName, form] of Object.entries(digitForms)) {
      for (const [separatorName, separator] of Object.entries(separatorClasses)) {
        cases.push({
          label: `wrong check digit, ${formName}, ${separatorName}`,
          body: { note: write(wrong, form, [4, 4, 4], separator) },
        });
      }
    }
    cases.push({ label: 'wrong check digit as a key', body: { [wrong]: true } });
    cases.push({ label: 'wrong check digit as a JSON number', body: { value: Number(wrong) } });
  }
  cases.push(
    { label: '11 digits (a 住民票コード-like value)', body: { reference: '12345678901' } },
    { label: '13 digits (a 法人番号)', body: { reference: '5835678256246' } },
    { label: 'telephone number', body: { phone: '03-1234-5678' } },
    { label: 'dates', body: { on: '2024-01-01', at: '2026-11-28T01:02:03+09:00' } },
    { label: 'a UUID', body: { id: '123e4567-e89b-12d3-a456-426614174000' } },
    { label: 'postal code and lg code', body: { postalCode: '1000001', lgCode: '131016' } },
    { label: 'an id and a sequence number', body: { id: '01234567890', seq: '1' } },
    { label: 'a date split in fields', body: { year: '2026', month: '12', day: '03' } },
  );
  return cases;
}
