/**
 * 異動 (特定個人情報) → CS 本人確認情報更新: the canonical → CS hop. Text goes through the 住基ネット統一文字
 * mapping point and kana becomes half width here, so the CS connector only lays out bytes.
 */
import type { MovementReason } from '../schemas/types.gen.js';
import { addressText, toHalfWidthKana, toJukinetText } from './cs-text.js';
import { canonicalFlexibleDate } from '../connectors/codec/wareki.js';
import { defineTransformer } from './transformer.js';

const name = 'resident-movement-recorded-tokutei-to-identity-info-update-submitted';

/** Movements that change only the household, which is not 本人確認情報. */
const householdOnly: ReadonlySet<MovementReason['reason']> = new Set([
  'HOUSEHOLD_SPLIT',
  'HOUSEHOLD_MERGE',
  'HOUSEHOLD_CHANGE',
  'HOUSEHOLDER_CHANGE',
]);

/** Maps a movement with 個人番号 to the CS 本人確認情報 update (half-width kana, 統一文字 text). */
export const residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted = defineTransformer({
  name,
  from: 'resident.movement.recorded.tokutei',
  to: 'identity-info.update.submitted',
  description: {
    ja: '住民異動記録（特定個人情報）を市町村CS向け本人確認情報更新に変換する（半角カナ・住基ネット統一文字）',
    en: 'Maps a movement with My Number to the CS identity information update (half-width kana, JUKINET characters)',
  },
  accepts: (movement) => !householdOnly.has(movement.movementReason.reason),
  transform(movement) {
    const { resident } = movement;
    const { reason, category } = movement.movementReason;
    return {
      lgCode: movement.lgCode,
      atenaNumber: resident.atenaNumber,
      historyNo: movement.historyNo,
      juminhyoCode: resident.juminhyoCode,
      myNumber: movement.myNumber,
      name: toJukinetText(name, '/resident/name/name', resident.name.name),
      ...(resident.name.nameKana === undefined
        ? {}
        : {
            nameKanaHalfWidth: toHalfWidthKana(
              name,
              '/resident/name/nameKana',
              resident.name.nameKana,
            ),
          }),
      ...(resident.name.alias === undefined
        ? {}
        : { alias: toJukinetText(name, '/resident/name/alias', resident.name.alias) }),
      ...(resident.name.formerSurname === undefined
        ? {}
        : {
            formerSurname: toJukinetText(
              name,
              '/resident/name/formerSurname',
              resident.name.formerSurname,
            ),
          }),
      birthDate: canonicalFlexibleDate(resident.birthDate),
      sex: resident.sex,
      addressText: toJukinetText(name, '/resident/address', addressText(resident.address)),
      address: resident.address,
      movementReason: movement.movementReason,
      movedOn: canonicalFlexibleDate(movement.movedOn),
      processedOn: movement.processedOn,
      csUpdateReason: reason === 'MINOR_CORRECTION' ? 'MINOR_CORRECTION' : category,
    };
  },
});
