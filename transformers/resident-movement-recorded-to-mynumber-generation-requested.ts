/** 出生 / 国外転入等 → 個人番号生成要求 via 住基ネット. */
import { defineTransformer, today } from './transformer.js';

/** Requests a My Number for a newborn or an arrival from abroad. */
export const residentMovementRecordedToMynumberGenerationRequested = defineTransformer({
  name: 'resident-movement-recorded-to-mynumber-generation-requested',
  from: 'resident.movement.recorded',
  to: 'mynumber.generation.requested',
  description: {
    ja: '出生・国外転入等の住民異動記録から個人番号生成要求を作成する',
    en: 'Requests My Number generation for a birth or an arrival from abroad',
  },
  accepts: (movement) =>
    movement.movementReason.reason === 'BIRTH' ||
    movement.movementReason.reason === 'OVERSEAS_MOVE_IN',
  transform(movement, context) {
    return {
      lgCode: movement.lgCode,
      juminhyoCode: movement.resident.juminhyoCode,
      atenaNumber: movement.resident.atenaNumber,
      historyNo: movement.historyNo,
      reason: movement.movementReason.reason === 'BIRTH' ? 'BIRTH' : 'OVERSEAS_MOVE_IN',
      requestedOn: today(context),
    };
  },
});
