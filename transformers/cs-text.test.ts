import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import {
  addressText,
  characterUnits,
  identityJukinetMapping,
  jukinetTableMapping,
  toHalfWidthKana,
  toJukinetText,
} from './cs-text.js';

describe('CS text: half-width kana', () => {
  it('converts full-width katakana, voiced marks, ー and U+3000', () => {
    expect(toHalfWidthKana('t', '/k', 'ミホン　ハナコ')).to.equal('ﾐﾎﾝ ﾊﾅｺ');
    expect(toHalfWidthKana('t', '/k', 'ガッコウ')).to.equal('ｶﾞｯｺｳ');
    expect(toHalfWidthKana('t', '/k', 'パーティー')).to.equal('ﾊﾟｰﾃｨｰ');
    expect(toHalfWidthKana('t', '/k', 'ヴィオラ')).to.equal('ｳﾞｨｵﾗ');
    expect(toHalfWidthKana('t', '/k', 'ヲ')).to.equal('ｦ');
  });

  it('maps kana without a half-width form as the policy prescribes (ヰ→ｲ, ヶ→ｹ, …)', () => {
    const mapped = ['ヶ', 'ヵ', 'ヮ', 'ヰ', 'ヱ'].map((kana) =>
      toHalfWidthKana('t', '/name/nameKana', `ア${kana}`),
    );
    expect(mapped).to.deep.equal(['ｱｹ', 'ｱｶ', 'ｱﾜ', 'ｱｲ', 'ｱｴ']);
  });

  it('refuses them when the policy says so, naming field, position and code point only', () => {
    const codes = { ヶ: 'U+30F6', ヵ: 'U+30F5', ヮ: 'U+30EE', ヰ: 'U+30F0', ヱ: 'U+30F1' };
    for (const [kana, code] of Object.entries(codes)) {
      expect(() => toHalfWidthKana('t', '/name/nameKana', `ア${kana}`, 'refuse')).to.throw(
        TransformError,
        `/name/nameKana: the character at code point 1 (${code}) has no half-width kana form`,
      );
    }
  });

  it('refuses what is not katakana (hiragana) whatever the policy', () => {
    expect(() => toHalfWidthKana('t', '/k', 'アい')).to.throw(TransformError, /U\+3044/);
  });
});

describe('CS text: the 住基ネット統一文字 mapping point', () => {
  it('keeps a base character and its variation selector together as one unit', () => {
    expect(characterUnits('葛\u{E0100}城')).to.deep.equal(['葛\u{E0100}', '城']);
  });

  it('passes standard characters and IVS sequences through unchanged (identity mapping)', () => {
    const name = '葛\u{E0100}城　𠮷田';
    expect(toJukinetText('t', '/name', name)).to.equal(name);
  });

  it('refuses a private-use character without a table entry, without echoing it', () => {
    try {
      toJukinetText('t', '/resident/name/name', '見本　\u{E000}子');
      expect.fail('mapped a PUA character');
    } catch (error) {
      expect(error).to.be.instanceOf(TransformError);
      const message = (error as TransformError).message;
      expect(message).to.equal(
        't: /resident/name/name: the character at code point 3 (U+E000) has no 住基ネット統一文字 mapping (外字)',
      );
      expect(message).not.to.include('見本');
    }
  });

  it('maps through a table hook before falling back to identity', () => {
    const mapping = jukinetTableMapping(
      new Map([
        ['\u{E000}', '\u{F040}'],
        ['辻\u{E0100}', '辻'],
      ]),
    );
    expect(toJukinetText('t', '/n', '\u{E000}辻\u{E0100}本', mapping)).to.equal('\u{F040}辻本');
    expect(identityJukinetMapping.map('\u{F0000}')).to.equal(undefined);
  });
});

describe('CS text: 外字 is anything outside the 住基ネット repertoire', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['emoji', '見本😀子', 'U+1F600'],
    ['emoji with presentation selector', '見本☺\uFE0F', 'U+263A'],
    ['Hangul', '見本한', 'U+D55C'],
    ['zero-width space', '見\u200B本', 'U+200B'],
    ['zero-width joiner', '見\u200D本', 'U+200D'],
    ['right-to-left override', '見\u202E本', 'U+202E'],
    ['left-to-right mark', '見\u200E本', 'U+200E'],
    ['BOM', '\uFEFF見本', 'U+FEFF'],
  ];
  for (const [label, text, code] of cases) {
    it(`refuses ${label}, by code point`, () => {
      expect(() => toJukinetText('t', '/name', text)).to.throw(TransformError, code);
    });
  }

  it('passes JIS symbols, look-alikes and Latin letters', () => {
    for (const text of ['１−２−３', '〜～', '‖∥', '¬￢', '♂♀', 'ÉCOLE', 'Ωα']) {
      expect(toJukinetText('t', '/n', text)).to.equal(text);
    }
  });
});

describe('CS text: address line', () => {
  it('joins the parts and separates 方書 with U+3000', () => {
    expect(
      addressText({
        lgCode: '131016',
        prefecture: '東京都',
        municipalityName: '千代田区',
        choaza: '千代田',
        banchiGo: '１丁目１番１号',
        katagaki: 'ハイツ見本１０１号室',
      }),
    ).to.equal('東京都千代田区千代田１丁目１番１号\u3000ハイツ見本１０１号室');
  });
});
