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

  it('fails loudly on kana without a half-width form, naming field and position only', () => {
    for (const kana of ['ヶ', 'ヵ', 'ヮ', 'ヰ', 'ヱ']) {
      expect(() => toHalfWidthKana('t', '/name/nameKana', `ア${kana}`)).to.throw(
        TransformError,
        '/name/nameKana: the character at code point 1 has no half-width kana form',
      );
    }
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
        't: /resident/name/name: the character at code point 3 has no 住基ネット統一文字 mapping',
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
