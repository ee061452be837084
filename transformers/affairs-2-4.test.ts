import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import { sampleMovementRecorded } from '../schemas/sample.js';
import { schemaRegistry } from '../schemas/registry.js';
import { residentMovementRecordedToKosekiFuhyoEntryNoticeSent as toFuhyo } from './resident-movement-recorded-to-koseki-fuhyo-entry-notice-sent.js';
import { residentMovementRecordedToMunicipalityNoticeSent as toMoj } from './resident-movement-recorded-to-municipality-notice-sent.js';

const registry = schemaRegistry();
const context = { messageId: 'm-1', now: '2026-11-27T10:00:00+09:00', lgCode: '131016' };

describe('affair 2: 附票 notice from a movement', () => {
  it('a 本籍 in another municipality goes out (honsekiInCity false) with its 地方公共団体コード', () => {
    const movement = sampleMovementRecorded({}, 4, 'RELOCATION');
    movement.resident.honseki = {
      state: 'PRESENT',
      address: '大阪府大阪市北区中之島一丁目３番',
      hittosha: '見本　一郎',
      lgCode: '271004',
    };
    const notice = toFuhyo.transform(movement, context);
    expect(notice).to.include({
      honsekiInCity: false,
      honsekiLgCode: '271004',
      residenceLgCode: '131016',
    });
    expect(registry.validate('koseki-fuhyo.entry-notice.sent', notice).issues).to.deep.equal([]);
  });

  it('a 国外転出 carries the planned departure instead of an address (17条3号/4号)', () => {
    const notice = toFuhyo.transform(sampleMovementRecorded({}, 6, 'OVERSEAS_MOVE_OUT'), context);
    expect(notice).to.include({ isOverseasEmigrant: true, plannedDepartureOn: '2026-12-10' });
    expect(notice).to.not.have.property('address');
    expect(registry.validate('koseki-fuhyo.entry-notice.sent', notice).issues).to.deep.equal([]);
  });

  it('applies to Japanese residents with a 本籍 and an address change only', () => {
    expect(
      toFuhyo.accepts?.(sampleMovementRecorded({}, 3, 'OVERSEAS_MOVE_IN', 'mid-long-term')),
    ).to.equal(false);
    expect(toFuhyo.accepts?.(sampleMovementRecorded({}, 3, 'DEATH'))).to.equal(false);
    expect(toFuhyo.accepts?.(sampleMovementRecorded({}, 3, 'HOUSEHOLD_SPLIT'))).to.equal(false);
    const none = sampleMovementRecorded({}, 3, 'RELOCATION');
    none.resident.honseki = { state: 'NONE' };
    expect(toFuhyo.accepts?.(none)).to.equal(false);
  });

  it('a 本籍 without its 地方公共団体コード fails loudly (a dead letter), never silently', () => {
    const movement = sampleMovementRecorded({}, 8, 'RELOCATION');
    movement.resident.honseki = { state: 'PRESENT', address: '某所', hittosha: '見本　一郎' };
    expect(() => toFuhyo.transform(movement, context)).to.throw(TransformError, /honseki\/lgCode/);
  });
});

describe('affair 4: 市町村通知 from a movement', () => {
  it('not for household-only changes, nor for Japanese residents', () => {
    expect(
      toMoj.accepts?.(sampleMovementRecorded({}, 3, 'HOUSEHOLD_SPLIT', 'mid-long-term')),
    ).to.equal(false);
    expect(toMoj.accepts?.(sampleMovementRecorded({}, 3, 'RELOCATION'))).to.equal(false);
    expect(toMoj.accepts?.(sampleMovementRecorded({}, 3, 'RELOCATION', 'mid-long-term'))).to.equal(
      true,
    );
  });

  it('a 通称 entry carries its history line; a 特別永住者 keeps no 満了日', () => {
    const alias = toMoj.transform(
      sampleMovementRecorded({}, 3, 'ALIAS_ENTRY', 'mid-long-term'),
      context,
    );
    expect(alias.aliasHistory).to.deep.equal([
      { alias: '見本　安', action: 'RECORDED', on: '2026-11-27', lgCode: '131016' },
    ]);
    expect(alias.eventKind).to.equal('CORRECTION');
    expect(registry.validate('municipality.notice.sent', alias).issues).to.deep.equal([]);
    const special = toMoj.transform(
      sampleMovementRecorded({}, 5, 'RELOCATION', 'special-permanent'),
      context,
    );
    expect(special.residenceCard).to.deep.equal({
      number: 'SP00000001ZZ',
      cardKind: 'TOKUEI_CERT',
    });
    expect(special.foreign).to.not.have.property('periodExpiresOn');
    expect(registry.validate('municipality.notice.sent', special).issues).to.deep.equal([]);
  });
});
