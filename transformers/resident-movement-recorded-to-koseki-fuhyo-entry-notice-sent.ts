/**
 * 住所異動 → 戸籍附票記載事項通知 (住基法19条, seed 2-① and 2-④). Japanese residents with a 本籍 only;
 * the 17条 items, never 個人番号. `honsekiInCity` says which leg the flow takes: this city's 附票
 * system, or the CS towards the 本籍地.
 */
import { TransformError } from '../hub/errors.js';
import type { MovementReason } from '../schemas/types.gen.js';
import { defineTransformer } from './transformer.js';

const name = 'resident-movement-recorded-to-koseki-fuhyo-entry-notice-sent';

/** Movements that change what the 附票 records (the address, or the fact of leaving Japan). */
export const fuhyoReasons: ReadonlySet<MovementReason['reason']> = new Set([
  'DOMESTIC_MOVE_IN',
  'OVERSEAS_MOVE_IN',
  'BIRTH',
  'RELOCATION',
  'OVERSEAS_MOVE_OUT',
  'MINOR_CORRECTION',
  'EX_OFFICIO_CORRECTION',
  'CLERICAL_CORRECTION',
]);

/** Builds the 附票 notice for an address change of a Japanese resident with a 本籍. */
export const residentMovementRecordedToKosekiFuhyoEntryNoticeSent = defineTransformer({
  name,
  from: 'resident.movement.recorded',
  to: 'koseki-fuhyo.entry-notice.sent',
  description: {
    ja: '日本人住民の住所異動から本籍地への戸籍附票記載事項通知を作成する',
    en: 'Builds the koseki annex (fuhyo) entry notice for the registered domicile',
  },
  accepts: (movement) =>
    movement.resident.residentType === 'JAPANESE' &&
    movement.resident.honseki?.state === 'PRESENT' &&
    fuhyoReasons.has(movement.movementReason.reason),
  transform(movement, context) {
    const { resident } = movement;
    const honseki = resident.honseki;
    if (honseki?.lgCode === undefined || !honseki.address || !honseki.hittosha) {
      throw new TransformError(
        name,
        'the 本籍 has no 地方公共団体コード (/resident/honseki/lgCode); the 本籍地 cannot be addressed',
      );
    }
    const emigrant = movement.movementReason.reason === 'OVERSEAS_MOVE_OUT';
    return {
      lgCode: movement.lgCode,
      residenceLgCode: context.lgCode,
      noticeId: `${context.lgCode}:${resident.atenaNumber}:${String(movement.historyNo)}`,
      honsekiLgCode: honseki.lgCode,
      honsekiInCity: honseki.lgCode === context.lgCode,
      honseki: { address: honseki.address, hittosha: honseki.hittosha },
      juminhyoCode: resident.juminhyoCode,
      historyNo: movement.historyNo,
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      ...(emigrant
        ? {
            isOverseasEmigrant: true,
            plannedDepartureOn: movement.plannedMoveOutOn ?? movement.processedOn,
          }
        : { address: resident.address }),
      addressFixedOn: resident.addressFixedOn ?? movement.movedOn,
      movementReason: movement.movementReason,
      notifiedOn: movement.notifiedOn ?? movement.processedOn,
    };
  },
});
