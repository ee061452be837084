import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import { schemaRegistry } from '../schemas/registry.js';
import { sampleMovementRecordedTokutei } from '../schemas/sample.js';
import { residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted as hop } from './resident-movement-recorded-tokutei-to-identity-info-update-submitted.js';
import { sampleContext } from './sample-context.js';

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
