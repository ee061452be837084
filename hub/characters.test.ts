import { expect } from 'chai';
import {
  characterProblem,
  foldLookalikes,
  fromCp932Lookalikes,
  isBlank,
  toCp932Lookalikes,
} from './characters.js';

describe('character policy: look-alike mapping', () => {
  it('maps code point for code point, both ways, and folds for comparison', () => {
    expect(toCp932Lookalikes('〜−‖¬¥', 'double')).to.equal('～－∥￢￥');
    expect(toCp932Lookalikes('¥', 'single')).to.equal('\\');
    expect(fromCp932Lookalikes('～－∥￢')).to.equal('〜−‖¬');
    expect(foldLookalikes('１－２～￥')).to.equal(foldLookalikes('１−２〜¥'));
    expect(foldLookalikes('髙﨑')).to.equal('髙﨑'); // not NFKC: nothing else changes
  });
});

describe('character policy: 外字 is anything outside the repertoire', () => {
  const refused: readonly (readonly [string, string, string, string])[] = [
    ['emoji', '花子😀', 'emoji', 'U+1F600'],
    ['emoji presentation selector', '花\uFE0F', 'emoji', 'U+FE0F'],
    ['flag (regional indicators)', '花\u{1F1EF}\u{1F1F5}', 'emoji', 'U+1F1EF'],
    ['Hangul syllable', '김한', 'script', 'U+AE40'],
    ['Hangul jamo', '花\u1100', 'script', 'U+1100'],
    ['Arabic', '花\u0627', 'script', 'U+0627'],
    ['zero-width space', '花\u200B子', 'format', 'U+200B'],
    ['zero-width non-joiner', '花\u200C子', 'format', 'U+200C'],
    ['zero-width joiner', '花\u200D子', 'format', 'U+200D'],
    ['word joiner', '花\u2060子', 'format', 'U+2060'],
    ['BOM', '\uFEFF花子', 'format', 'U+FEFF'],
    ['left-to-right mark', '花\u200E子', 'format', 'U+200E'],
    ['right-to-left mark', '花\u200F子', 'format', 'U+200F'],
    ['right-to-left override', '花\u202E子', 'format', 'U+202E'],
    ['left-to-right isolate', '花\u2066子', 'format', 'U+2066'],
    ['Arabic letter mark', '花\u061C子', 'format', 'U+061C'],
    ['soft hyphen', '花\u00AD子', 'format', 'U+00AD'],
    ['line separator', '花\u2028子', 'format', 'U+2028'],
    ['no-break space', '花\u00A0子', 'space', 'U+00A0'],
    ['em space', '花\u2003子', 'space', 'U+2003'],
    ['unassigned code point', '花\u0378', 'unassigned', 'U+0378'],
    ['replacement character', '花\uFFFD', 'replacement', 'U+FFFD'],
    ['control character', '花\u0007', 'control', 'U+0007'],
  ];
  for (const [label, text, kind, codePoint] of refused) {
    it(`refuses ${label} (${codePoint}) by kind, position and code point`, () => {
      const problem = characterProblem(text, 'mj');
      expect(problem).to.deep.include({ kind, codePoint });
      expect(JSON.stringify(problem)).not.to.include(text);
    });
  }

  it('accepts what MJ holds: kanji, IVS, kana, JIS symbols, Latin, Greek, Cyrillic, PUA', () => {
    for (const text of [
      '葛\u{E0100}城　太郎',
      '髙﨑　𠮷',
      'ﾊｲﾂ 201',
      'ヰヱヵヶヮ',
      '１−２−３〜～',
      '♂♀©®',
      'ÉCOLE Müller',
      'Ωα Жж',
      '\u{E000}',
      '々〆ヽゞ',
    ]) {
      expect(characterProblem(text, 'mj'), text).to.equal(undefined);
    }
  });

  it('private use is MJ text but outside the 住基ネット repertoire without a table', () => {
    expect(characterProblem('見本\u{E000}', 'mj')).to.equal(undefined);
    expect(characterProblem('見本\u{E000}', 'jukinet')).to.deep.include({
      kind: 'private-use',
      position: 2,
      codePoint: 'U+E000',
    });
  });

  it('names of only spaces are blank', () => {
    for (const text of ['', ' ', '\u3000', '\u3000 \u3000', '\t'])
      expect(isBlank(text)).to.equal(true);
    for (const text of ['花', '\u3000花', 'ｱ ']) expect(isBlank(text)).to.equal(false);
  });
});
