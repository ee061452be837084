import { expect } from 'chai';
import iconv from 'iconv-lite';
import { defineLayout } from './fixed-width.js';
import { CodecError } from './errors.js';

const layout = defineLayout({
  name: 'chars',
  recordLength: 40,
  encoding: 'cp932',
  fields: [
    { name: 'address', offset: 0, length: 20, type: 'zenkaku' },
    { name: 'code', offset: 20, length: 4, type: 'text' },
    { name: 'kana', offset: 24, length: 16, type: 'kana-half' },
  ],
});

// [Unicode-standard form, CP932 form, CP932 bytes] written out from the Windows-31J table.
const lookalikes: readonly (readonly [string, string, string])[] = [
  ['\u301C', '\uFF5E', '8160'], // WAVE DASH / FULLWIDTH TILDE
  ['\u2212', '\uFF0D', '817c'], // MINUS SIGN / FULLWIDTH HYPHEN-MINUS
  ['\u2016', '\u2225', '8161'], // DOUBLE VERTICAL LINE / PARALLEL TO
  ['\u00AC', '\uFFE2', '81ca'], // NOT SIGN / FULLWIDTH NOT SIGN
  ['\u2014', '\u2015', '815c'], // EM DASH / HORIZONTAL BAR
  ['\u00A2', '\uFFE0', '8191'], // CENT SIGN
  ['\u00A3', '\uFFE1', '8192'], // POUND SIGN
];

describe('character policy: CP932 look-alikes', () => {
  for (const [unicode, cp932, hex] of lookalikes) {
    const label = `U+${(unicode.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    it(`${label} and its CP932 twin are both written as 0x${hex} and read back as ${label}`, () => {
      for (const form of [unicode, cp932]) {
        const bytes = layout.encode({ address: `１${form}２`, code: '', kana: '' });
        expect(bytes.subarray(2, 4).toString('hex')).to.equal(hex);
        expect(layout.decode(bytes).address).to.equal(`１${unicode}２`);
      }
    });
  }

  it('an address like １−２−３ (MINUS SIGN) encodes instead of being dead-lettered', () => {
    const bytes = layout.encode({ address: '本町１−２−３', code: '', kana: '' });
    expect(bytes.subarray(0, 14).equals(iconv.encode('本町１－２－３', 'cp932'))).to.equal(true);
    expect(layout.decode(bytes).address).to.equal('本町１−２−３');
  });

  it('YEN SIGN is 0x5C in a half-width field and ￥ (0x818F) in a full-width one', () => {
    const bytes = layout.encode({ address: '¥', code: '¥1', kana: '' });
    expect(bytes.subarray(0, 2).toString('hex')).to.equal('818f');
    expect(bytes.subarray(20, 22).toString('hex')).to.equal('5c31');
  });

  it('a look-alike in the wrong width is still refused, naming the original code point', () => {
    try {
      layout.encode({ address: '', code: '〜', kana: '' });
      expect.fail('expected a CodecError');
    } catch (error) {
      expect(error).to.be.instanceOf(CodecError);
      expect((error as CodecError).location).to.deep.include({
        field: 'code',
        codePoint: 'U+301C',
      });
    }
  });
});

describe('character policy: kana without a half-width form', () => {
  it('maps ヰ ヱ ヵ ヶ ヮ in a half-width kana field instead of throwing in the encoder', () => {
    const bytes = layout.encode({ address: '', code: '', kana: 'ヰヱヵヶヮ' });
    expect(bytes.subarray(24, 29).equals(iconv.encode('ｲｴｶｹﾜ', 'cp932'))).to.equal(true);
  });
});
