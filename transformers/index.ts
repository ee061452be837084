/** The transformer registry: an explicit list of every hop of affairs 1, 8 and 11. Add new ones here. */
import {
  certificateDataRepliedToIssuanceRefusalRecorded,
  certificateDataRepliedToKioskCertificateFailed,
  certificateDataRepliedToKioskCertificateProduced,
} from './certificate-data-replied-to-kiosk-certificate.js';
import { consistencyCheckResultReadyToCompleted } from './consistency-check-result-ready-to-completed.js';
import {
  identityInfoUpdateAcknowledgedToRegistryCsReplyReceived,
  identityInfoUpdateRejectedToRegistryCsReplyReceived,
  moveInNoticeReceivedToRegistryCsReplyReceived,
  mynumberChangeCompletedToRegistryCsReplyReceived,
  mynumberGenerationCompletedToRegistryCsReplyReceived,
} from './cs-replies-to-registry.js';
import { kioskCertificateRequestedToCertificateDataQuery } from './kiosk-certificate-requested-to-certificate-data-query.js';
import { registryResidentExtractedToConsistencyCheckRecord } from './registry-resident-extracted-to-consistency-check-record.js';
import { residentMovementRecordedToAtenaChanged } from './resident-movement-recorded-to-atena-changed.js';
import { residentMovementRecordedToKosekiFuhyoEntryNoticeSent } from './resident-movement-recorded-to-koseki-fuhyo-entry-notice-sent.js';
import { residentMovementRecordedToMunicipalityNoticeSent } from './resident-movement-recorded-to-municipality-notice-sent.js';
import { residentMovementRecordedToMynumberGenerationRequested } from './resident-movement-recorded-to-mynumber-generation-requested.js';
import { residentMovementRecordedTokuteiToChukanJuminhyoKankeiUpdated } from './resident-movement-recorded-tokutei-to-chukan-juminhyo-kankei-updated.js';
import { residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted } from './resident-movement-recorded-tokutei-to-identity-info-update-submitted.js';
import { residentMovementRecordedTokuteiToMoveInNoticeSent } from './resident-movement-recorded-tokutei-to-move-in-notice-sent.js';
import type { Transformer } from './transformer.js';

/** The transformer contract, re-exported next to the registry. */
export type { TransformContext, Transformer } from './transformer.js';

/** Every transformer, in hop order per affair. */
export const transformerList: readonly Transformer[] = [
  // Affair 1: 異動 → 共通基盤, CS, 統合宛名/中間サーバ, 個人番号, 転入通知; CS replies → 既存住基
  residentMovementRecordedToAtenaChanged,
  residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted,
  residentMovementRecordedTokuteiToChukanJuminhyoKankeiUpdated,
  residentMovementRecordedToMynumberGenerationRequested,
  residentMovementRecordedTokuteiToMoveInNoticeSent,
  mynumberGenerationCompletedToRegistryCsReplyReceived,
  mynumberChangeCompletedToRegistryCsReplyReceived,
  identityInfoUpdateAcknowledgedToRegistryCsReplyReceived,
  identityInfoUpdateRejectedToRegistryCsReplyReceived,
  moveInNoticeReceivedToRegistryCsReplyReceived,
  // Affair 8: 本人確認情報整合
  registryResidentExtractedToConsistencyCheckRecord,
  consistencyCheckResultReadyToCompleted,
  // Affair 11: コンビニ交付
  kioskCertificateRequestedToCertificateDataQuery,
  certificateDataRepliedToKioskCertificateProduced,
  certificateDataRepliedToKioskCertificateFailed,
  certificateDataRepliedToIssuanceRefusalRecorded,
  // Affair 2: 戸籍の附票
  residentMovementRecordedToKosekiFuhyoEntryNoticeSent,
  // Affair 4: 市町村通知
  residentMovementRecordedToMunicipalityNoticeSent,
];

/** Every transformer the hub offers, by name. */
export const transformers: ReadonlyMap<string, Transformer> = new Map(
  transformerList.map((transformer) => [transformer.name, transformer]),
);
