/**
 * 外国人住民の住民票の記載・消除・修正 → 市町村通知 (入管法61条の8の2, seed 4-③). Not for changes that
 * touch only the household (世帯分離・合併・変更, 世帯主変更): MOJ needs no notice for those.
 */
import { TransformError } from '../hub/errors.js';
import type { MovementReason, MunicipalityNoticeSent } from '../schemas/types.gen.js';
import { defineTransformer } from './transformer.js';

const name = 'resident-movement-recorded-to-municipality-notice-sent';

/** Household-only changes: no 市町村通知. */
const householdOnly: ReadonlySet<MovementReason['reason']> = new Set([
  'HOUSEHOLD_SPLIT',
  'HOUSEHOLD_MERGE',
  'HOUSEHOLD_CHANGE',
  'HOUSEHOLDER_CHANGE',
]);

function eventKindOf(reason: MovementReason): MunicipalityNoticeSent['eventKind'] {
  if (reason.reason === 'RELOCATION') return 'ADDRESS_CHANGE';
  if (reason.category === 'ENTRY') return 'ENTRY';
  if (reason.category === 'DELETION') return 'DELETION';
  return 'CORRECTION';
}

/** Builds the 市町村通知 for a foreign resident's movement. */
export const residentMovementRecordedToMunicipalityNoticeSent = defineTransformer({
  name,
  from: 'resident.movement.recorded',
  to: 'municipality.notice.sent',
  description: {
    ja: '外国人住民の住民異動記録から法務省への市町村通知を作成する',
    en: 'Builds the municipality notice to the Ministry of Justice for a foreign resident',
  },
  accepts: (movement) =>
    movement.resident.residentType === 'FOREIGN' &&
    !householdOnly.has(movement.movementReason.reason),
  transform(movement, context) {
    const { resident } = movement;
    const foreign = resident.foreign;
    const card = foreign?.residenceCard;
    if (foreign === undefined || card === undefined) {
      throw new TransformError(
        name,
        'a foreign resident needs 在留カード等 (/resident/foreign/residenceCard) for the 市町村通知',
      );
    }
    const eventKind = eventKindOf(movement.movementReason);
    const reason = movement.movementReason.reason;
    const alias = resident.name.alias;
    const aliasChange =
      (reason === 'ALIAS_ENTRY' || reason === 'ALIAS_DELETION') && alias !== undefined;
    return {
      lgCode: movement.lgCode,
      noticeId: `${resident.atenaNumber}:${String(movement.historyNo)}`,
      // Address changes and entries/deletions are 住居地 matters under both laws; corrections of
      // registry-only items concern the 住基法 side.
      legalBasis: eventKind === 'CORRECTION' ? 'JUKI_ONLY' : 'JUKI_AND_NYUKAN',
      eventKind,
      movementReason: movement.movementReason,
      residenceCard: card,
      name: resident.name,
      ...(aliasChange
        ? {
            aliasHistory: [
              {
                alias,
                action: reason === 'ALIAS_ENTRY' ? ('RECORDED' as const) : ('DELETED' as const),
                on: movement.processedOn,
                lgCode: context.lgCode,
              },
            ],
          }
        : {}),
      birthDate: resident.birthDate,
      sex: resident.sex,
      foreign,
      address: resident.address,
      effectiveOn: movement.movedOn,
    };
  },
});
