import { expect } from 'chai';
import {
  codePointLength,
  isValidJuminhyoCode,
  isValidLgCode,
  juminhyoCodeCheckDigit,
  lgCodeCheckDigit,
  mjTextProblem,
} from './keywords.js';
import { createAjv } from './registry.js';

describe('catalogue keywords', () => {
  it('computes the 地方公共団体コード check digit of well-known codes', () => {
    for (const code of ['131016', '011002', '271004', '141003', '401307']) {
      expect(isValidLgCode(code), code).to.equal(true);
      expect(lgCodeCheckDigit(code)).to.equal(Number(code[5]));
    }
    expect(isValidLgCode('131017')).to.equal(false);
    expect(isValidLgCode('13101')).to.equal(false);
  });

  it('computes the 住民票コード check digit (weights 5 4 3 2 7 6 5 4 3 2)', () => {
    expect(isValidJuminhyoCode('24727059608')).to.equal(true);
    expect(isValidJuminhyoCode('12345678901')).to.equal(false);
    expect(juminhyoCodeCheckDigit('0000000001')).to.equal(9);
  });

  it('accepts ideographic variation selectors and private-use characters as MJ text', () => {
    expect(mjTextProblem('葛\u{E0100}城　花子')).to.equal(undefined);
    expect(mjTextProblem('辻\u{E0100}')).to.equal(undefined);
    expect(mjTextProblem('\u{E000}\u{F8FF}\u{F0000}')).to.equal(undefined);
    expect(mjTextProblem('ﾊｲﾂ 201')).to.equal(undefined);
  });

  it('rejects U+FFFD, C0 and C1 controls and lone surrogates, naming only the position', () => {
    expect(mjTextProblem('見本\uFFFD')).to.deep.equal({
      kind: 'replacement',
      position: 2,
      codePoint: 'U+FFFD',
    });
    expect(mjTextProblem('a\tb')).to.deep.include({ kind: 'control', position: 1 });
    expect(mjTextProblem('a\nb')).to.deep.include({ kind: 'control', position: 1 });
    expect(mjTextProblem('\u0085')).to.deep.include({ kind: 'control', position: 0 });
    expect(mjTextProblem('\u007F')).to.deep.include({ kind: 'control', position: 0 });
    expect(mjTextProblem('a\uD800')).to.deep.include({ kind: 'surrogate', position: 1 });
  });

  it('counts lengths in code points (IVS and astral characters count once each)', () => {
    expect(codePointLength('葛\u{E0100}')).to.equal(2);
    expect(codePointLength('𠮷田')).to.equal(2);
    expect('𠮷田'.length).to.equal(3);
  });

  it('does not normalise: a compatibility ideograph stays distinct from its unified form', () => {
    const ajv = createAjv();
    const validate = ajv.compile({ type: 'string', mjText: true, maxCodePoints: 1 });
    const compatibility = '\uF929'; // 朗 CJK COMPATIBILITY IDEOGRAPH-F929
    expect(validate(compatibility)).to.equal(true);
    expect(compatibility.normalize('NFC')).not.to.equal(compatibility);
  });

  it('reports keyword failures with limits but without the value', () => {
    const ajv = createAjv();
    const validate = ajv.compile({
      type: 'string',
      mjText: true,
      maxCodePoints: 3,
      minCodePoints: 2,
    });
    expect(validate('秘密の値')).to.equal(false);
    expect(validate.errors?.map(({ keyword, params }) => ({ keyword, params }))).to.deep.equal([
      { keyword: 'maxCodePoints', params: { limit: 3 } },
    ]);
    expect(validate('\uFFFD')).to.equal(false);
    expect(validate.errors?.map(({ keyword, params }) => ({ keyword, params }))).to.deep.equal([
      { keyword: 'mjText', params: { kind: 'replacement', position: 0, codePoint: 'U+FFFD' } },
      { keyword: 'minCodePoints', params: { limit: 2 } },
    ]);
  });
});
