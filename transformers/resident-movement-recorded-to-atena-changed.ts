/** 異動 → 共通基盤 宛名 (差分連携): the resident snapshot without 個人番号 or 住民票コード. */
import { residentSnapshot } from './resident-snapshot.js';
import { defineTransformer } from './transformer.js';

/** Turns a recorded movement into a DIFF 宛名 record for the 共通基盤 (no 個人番号 leaves on this leg). */
export const residentMovementRecordedToAtenaChanged = defineTransformer({
  name: 'resident-movement-recorded-to-atena-changed',
  from: 'resident.movement.recorded',
  to: 'atena.changed',
  description: {
    ja: '住民異動記録を共通基盤向け宛名差分に変換する',
    en: 'Maps a recorded movement to a DIFF atena record for the common platform',
  },
  transform(movement, context) {
    return {
      lgCode: movement.lgCode,
      mode: 'DIFF',
      record: residentSnapshot(movement),
      asOf: context.now,
    };
  },
});
