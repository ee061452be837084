/**
 * The one-pass pre-checks in front of the My Number and 符号 readers (issue 23) may only ever answer
 * "cannot hold one" for texts the full reading also finds nothing in. Checked differentially on
 * texts built to sit at the edges of the pre-checks: digit chains broken and joined by every kind of
 * character the reader treats specially, escaped line breaks, full-width and kanji digits, UUIDs and
 * hex runs, and base32 runs of 31 to 33 characters.
 */
import { expect } from 'chai';
import { findFugos, findFugosUnfiltered, withFugoCheckChar } from './fugo.js';
import { findMyNumbers, findMyNumbersUnfiltered, withMyNumberCheckDigit } from './my-number.js';
import { createRandom as random } from '../../schemas/sample.js';

const pieces = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '０',
  '９',
  '〇',
  '一',
  '五',
  '九',
  '零',
  '○',
  ' ',
  '  ',
  '-',
  '.',
  '_',
  'ー',
  '－',
  'ｰ',
  '\u3000',
  '\n',
  '\\n',
  '\\t',
  '\\r',
  '\\x',
  '\\',
  ',',
  ';',
  ':',
  '=',
  '/',
  '|',
  '"',
  "'",
  '`',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '、',
  '。',
  'a',
  'f',
  'e',
  'Z',
  'n',
  't',
  'x',
  'あ',
  '山',
  '①',
  'Ⅻ',
  '𠮷',
];

describe('pre-checks in front of the My Number and 符号 readers (issue 23)', () => {
  it('the My Number pre-check never hides what the full reading finds (20 000 texts)', () => {
    const next = random(20261203);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    let withHits = 0;
    for (let round = 0; round < 20_000; round += 1) {
      const parts: string[] = [];
      const length = 4 + Math.floor(next() * 40);
      for (let index = 0; index < length; index += 1) {
        const roll = next();
        if (roll < 0.08) {
          // A valid number, whole or in groups, so that the full reading has something to find.
          const number = withMyNumberCheckDigit(
            Array.from({ length: 11 }, () => String(Math.floor(next() * 10))).join(''),
          );
          const cut = 1 + Math.floor(next() * 11);
          parts.push(
            roll < 0.04 ? number : `${number.slice(0, cut)}${pick(pieces)}${number.slice(cut)}`,
          );
        } else if (roll < 0.5) {
          parts.push(String(Math.floor(next() * 10)));
        } else {
          parts.push(pick(pieces));
        }
      }
      const text = parts.join('');
      const full = findMyNumbersUnfiltered(text);
      if (full.length > 0) withHits += 1;
      expect(findMyNumbers(text), JSON.stringify(text)).to.deep.equal(full);
    }
    // The texts reach the reader's interesting cases, not only the pre-check's easy "no".
    expect(withHits).to.be.greaterThan(1_000);
  });

  it('UUIDs, trace ids and short JSON are answered by the pre-check, numbers inside them are not', () => {
    expect(findMyNumbers('3f2b8c1e-9a4d-4e2b-8c1e-5d6a7b8c9d0e')).to.deep.equal([]);
    expect(findMyNumbers('{"subject":"s123","seq":12345,"value":678}')).to.deep.equal([]);
    const number = withMyNumberCheckDigit('12345678901');
    expect(findMyNumbers(`deadbeef${number}cafe`)).to.have.length(1);
    expect(
      findMyNumbers(`{"memo":"番号 ${number.slice(0, 4)}\\n${number.slice(4)}"}`),
    ).to.have.length(1);
  });

  it('the 符号 pre-check never hides what the full reading finds', () => {
    const next = random(7);
    const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let withHits = 0;
    for (let round = 0; round < 5_000; round += 1) {
      const fugo = withFugoCheckChar(
        Array.from({ length: 31 }, () => base32[Math.floor(next() * 32)]).join(''),
      );
      const around = ['', ' ', 'a', '1', '-', 'B', '8'];
      const pick = () => around[Math.floor(next() * around.length)] ?? '';
      const cut = Math.floor(next() * 34);
      const text = `${pick()}${fugo.slice(0, cut)}${next() < 0.3 ? pick() : ''}${fugo.slice(cut)}${pick()}`;
      const full = findFugosUnfiltered(text);
      if (full.length > 0) withHits += 1;
      expect(findFugos(text), text).to.deep.equal(full);
    }
    expect(withHits).to.be.greaterThan(500);
  });
});
