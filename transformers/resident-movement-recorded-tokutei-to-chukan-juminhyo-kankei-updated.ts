/** 異動 (特定個人情報) → 団体内統合宛名 / 中間サーバ 住民票関係情報 副本. */
import { residentSnapshot } from './resident-snapshot.js';
import { defineTransformer } from './transformer.js';

/** Maps a movement with 個人番号 to the 住民票関係情報 副本 update sent via 団体内統合宛名. */
export const residentMovementRecordedTokuteiToChukanJuminhyoKankeiUpdated = defineTransformer({
  name: 'resident-movement-recorded-tokutei-to-chukan-juminhyo-kankei-updated',
  from: 'resident.movement.recorded.tokutei',
  to: 'chukan.juminhyo-kankei.updated',
  description: {
    ja: '住民異動記録（特定個人情報）を団体内統合宛名経由の中間サーバ副本更新に変換する',
    en: 'Maps a movement with My Number to the intermediate-server copy update via the integrated atena system',
  },
  transform(movement) {
    return {
      lgCode: movement.lgCode,
      myNumber: movement.myNumber,
      ...(movement.integratedAtenaNumber === undefined
        ? {}
        : { integratedAtenaNumber: movement.integratedAtenaNumber }),
      ...residentSnapshot(movement),
      processedOn: movement.processedOn,
    };
  },
});
