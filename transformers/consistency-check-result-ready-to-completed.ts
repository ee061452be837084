/** 整合性確認: the CS result manifest → the operator's completion summary (counts only). */
import { defineTransformer } from './transformer.js';

/** Summarises a consistency-check result for the operator (no file, no personal data). */
export const consistencyCheckResultReadyToCompleted = defineTransformer({
  name: 'consistency-check-result-ready-to-completed',
  from: 'jukinet.consistency-check.result-ready',
  to: 'jukinet.consistency-check.completed',
  description: {
    ja: '本人確認情報整合の結果ファイル受信を件数のみの完了通知に変換する',
    en: 'Turns a consistency-check result manifest into a counts-only completion notice',
  },
  transform(result) {
    return {
      lgCode: result.lgCode,
      source: result.source,
      checkedCount: result.checkedCount,
      mismatchCount: result.mismatchCount,
      asOf: result.asOf,
      resultSha256: result.sha256,
      ...(result.rejectedCount === undefined ? {} : { rejectedCount: result.rejectedCount }),
    };
  },
});
