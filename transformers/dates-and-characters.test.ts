import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import { schemaRegistry } from '../schemas/registry.js';
import { sampleMovementRecordedTokutei } from '../schemas/sample.js';
import { residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted as hop } from './resident-movement-recorded-tokutei-to-identity-info-update-submitted.js';
import { sampleContext } from './sample-context.js';
import { csTextProblem } from './cs-text.js';

const registry = schemaRegistry();

describe('CS transformer: dates with unknown parts and the character policy (issue 17)', () => {
  it('carries a 日不詳 birth date in the one canonical spelling, era kept', () => {
    const movement = sampleMovementRecordedTokutei();
    movement.resident.birthDate = { value: '1950-04-00', era: 'S' };
    const out = hop.transform(movement, sampleContext(movement));
    expect(out.birthDate).to.deep.equal({ value: '1950-04', era: 'S' });
    expect(registry.validate('identity-info.update.submitted', out).issues).to.deep.equal([]);
  });

  it('keeps a boundary-day era as recorded', () => {
    const movement = sampleMovementRecordedTokutei();
    movement.resident.birthDate = { value: '1912-07-30', era: 'M' };
    const out = hop.transform(movement, sampleContext(movement));
    expect(out.birthDate).to.deep.equal({ value: '1912-07-30', era: 'M' });
  });

  it('maps kana without a half-width form before the CS sees it (ヶ → ｹ)', () => {
    const movement = sampleMovementRecordedTokutei();
    movement.resident.name.nameKana = 'イチノセ　ヶイ';
    const out = hop.transform(movement, sampleContext(movement));
    expect(out.nameKanaHalfWidth).to.equal('ｲﾁﾉｾ ｹｲ');
    expect(registry.validate('identity-info.update.submitted', out).issues).to.deep.equal([]);
  });

  it('refuses 外字 outside the 住基ネット repertoire by code point, before any system', () => {
    for (const [name, code] of [
      ['見本　花子😀', 'U+1F600'],
      ['見本　한', 'U+D55C'],
      ['見本\u200B花子', 'U+200B'],
      ['見本\u202E花子', 'U+202E'],
    ] as const) {
      const movement = sampleMovementRecordedTokutei();
      movement.resident.name.name = name;
      expect(() => hop.transform(movement, sampleContext(movement))).to.throw(TransformError, code);
    }
  });
});

describe('csTextProblem: the per-record hook for batch encoders', () => {
  it('answers undefined for text the CS record can hold', () => {
    expect(csTextProblem('見本　花子', 'jukinet')).to.equal(undefined);
    expect(csTextProblem('ミホン　ヶイ', 'kana-half')).to.equal(undefined);
  });

  it('gives a bilingual reason naming position and code point, never the text', () => {
    const gaiji = csTextProblem('見本😀', 'jukinet');
    expect(gaiji?.en).to.include('U+1F600');
    expect(gaiji?.ja).to.include('絵文字');
    expect(JSON.stringify(gaiji)).not.to.include('見本');
    const refused = csTextProblem('ミホンヶ', 'kana-half', 'refuse');
    expect(refused?.en).to.equal(
      'character at code point 3 (0-based, U+30F6) has no half-width kana form',
    );
    const hiragana = csTextProblem('みほん', 'kana-half');
    expect(hiragana?.en).to.include('U+307F');
  });

  it('refuses kana whose half-width form is longer than the CS field', () => {
    expect(csTextProblem('ア'.repeat(60), 'kana-half')).to.equal(undefined);
    expect(csTextProblem('ガ'.repeat(31), 'kana-half')?.en).to.equal(
      'half-width kana is too long (62 characters, at most 60)',
    );
  });
});
