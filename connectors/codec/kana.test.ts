import { expect } from 'chai';
import { CodecError } from './errors.js';
import { isHalfWidthKana, toFullWidthKana, toHalfWidthKana } from './kana.js';

const everyKatakana =
  'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノ' +
  'ハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロワヲンヴヷヺー・。「」、゛゜';

describe('kana conversion', () => {
  it('converts voiced and semi-voiced marks, ヴ and the long vowel', () => {
    expect(toHalfWidthKana('ガギグゲゴ')).to.equal('ｶﾞｷﾞｸﾞｹﾞｺﾞ');
    expect(toHalfWidthKana('パピプペポ')).to.equal('ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ');
    expect(toHalfWidthKana('ヴァイオリン')).to.equal('ｳﾞｧｲｵﾘﾝ');
    expect(toHalfWidthKana('ラーメン')).to.equal('ﾗｰﾒﾝ');
    expect(toHalfWidthKana('ヤマダ　タロウ')).to.equal('ﾔﾏﾀﾞ ﾀﾛｳ');
    expect(toFullWidthKana('ｶﾞｯｺｳ ﾎﾟﾝﾌﾟ')).to.equal('ガッコウ　ポンプ');
  });

  it('round-trips every katakana with a half-width form, exactly', () => {
    const half = toHalfWidthKana(everyKatakana, { other: 'error' });
    expect(isHalfWidthKana(half)).to.equal(true);
    expect(toFullWidthKana(half, { other: 'error' })).to.equal(everyKatakana);
    for (const char of everyKatakana) {
      expect(toFullWidthKana(toHalfWidthKana(char))).to.equal(char);
    }
  });

  it('keeps a lone sound mark lone', () => {
    expect(toFullWidthKana('ﾞｱﾞ')).to.equal('゛ア゛');
  });

  it('passes other characters through, or names their position', () => {
    expect(toHalfWidthKana('山田タロウ1')).to.equal('山田ﾀﾛｳ1');
    expect(toFullWidthKana('ABCｱ')).to.equal('ABCア');
    try {
      toHalfWidthKana('タロウヶ', {
        other: 'error',
        field: 'nameKana',
        withoutHalfWidth: 'refuse',
      });
      expect.fail('expected a CodecError');
    } catch (error) {
      expect(error).to.be.instanceOf(CodecError);
      expect((error as CodecError).location).to.deep.equal({
        field: 'nameKana',
        codePointIndex: 3,
        codePoint: 'U+30F6',
      });
    }
    expect(() => toFullWidthKana('ｱ漢', { other: 'error' })).to.throw(CodecError, /U\+6F22/);
  });

  it('maps kana without a half-width form as the character policy prescribes (one way)', () => {
    expect(toHalfWidthKana('ヰヱヵヶヮヸヹ', { other: 'error' })).to.equal('ｲｴｶｹﾜｲﾞｴﾞ');
    expect(toHalfWidthKana('カスミガセキ')).to.equal('ｶｽﾐｶﾞｾｷ');
    expect(toFullWidthKana(toHalfWidthKana('ヱビス'))).to.equal('エビス');
  });

  it('can leave spaces alone', () => {
    expect(toHalfWidthKana('ア　イ', { spaces: false })).to.equal('ｱ　ｲ');
    expect(toFullWidthKana('ｱ ｲ', { spaces: false })).to.equal('ア イ');
  });
});
