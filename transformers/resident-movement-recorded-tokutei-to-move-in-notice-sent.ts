/** 国内転入 → 転入通知 to the former municipality (住基法9条1項). */
import { TransformError } from '../hub/errors.js';
import { defineTransformer } from './transformer.js';

const name = 'resident-movement-recorded-tokutei-to-move-in-notice-sent';

/** Builds the 転入通知 for a domestic move-in, addressed to the municipality of the 転入前住所. */
export const residentMovementRecordedTokuteiToMoveInNoticeSent = defineTransformer({
  name,
  from: 'resident.movement.recorded.tokutei',
  to: 'move-in.notice.sent',
  description: {
    ja: '国内転入の住民異動記録から転出地への転入通知を作成する',
    en: 'Builds the move-in notice to the former municipality for a domestic move-in',
  },
  accepts: (movement) => movement.movementReason.reason === 'DOMESTIC_MOVE_IN',
  transform(movement) {
    const { resident } = movement;
    const former = resident.priorAddress?.domestic;
    if (former === undefined) {
      throw new TransformError(
        name,
        'a domestic move-in needs a domestic 転入前住所 (/resident/priorAddress/domestic)',
      );
    }
    return {
      lgCode: movement.lgCode,
      toLgCode: former.lgCode,
      atenaNumber: resident.atenaNumber,
      historyNo: movement.historyNo,
      juminhyoCode: resident.juminhyoCode,
      myNumber: movement.myNumber,
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      newAddress: resident.address,
      movedInOn: movement.movedOn,
      notifiedOn: movement.notifiedOn ?? movement.processedOn,
      ...(movement.specialMoveIn === undefined ? {} : { specialMoveIn: movement.specialMoveIn }),
    };
  },
});
