/**
 * CS replies → 既存住基: every reply from the 市町村CS becomes one registry-facing shape
 * (registry.cs-reply.received), so the registry connector has a single inbound contract.
 */
import { TransformError } from '../hub/errors.js';
import { defineTransformer } from './transformer.js';

/** 個人番号生成完了 → registry: assign the generated number. */
export const mynumberGenerationCompletedToRegistryCsReplyReceived = defineTransformer({
  name: 'mynumber-generation-completed-to-registry-cs-reply-received',
  from: 'mynumber.generation.completed',
  to: 'registry.cs-reply.received',
  description: {
    ja: '個人番号生成完了を既存住基への反映依頼に変換する',
    en: 'Maps a completed My Number generation to the registry update',
  },
  transform(reply, context) {
    return {
      lgCode: reply.lgCode,
      replyKind: 'MYNUMBER_GENERATED',
      juminhyoCode: reply.juminhyoCode,
      ...(reply.atenaNumber === undefined ? {} : { atenaNumber: reply.atenaNumber }),
      myNumber: reply.myNumber,
      receivedAt: context.now,
    };
  },
});

const changeName = 'mynumber-change-completed-to-registry-cs-reply-received';

/** 個人番号変更完了 → registry; refuses a "change" to the same number. */
export const mynumberChangeCompletedToRegistryCsReplyReceived = defineTransformer({
  name: changeName,
  from: 'mynumber.change.completed',
  to: 'registry.cs-reply.received',
  description: {
    ja: '個人番号変更完了を既存住基への反映依頼に変換する（新旧同一は拒否）',
    en: 'Maps a completed My Number change to the registry update (refuses new = previous)',
  },
  transform(reply, context) {
    if (reply.newMyNumber === reply.previousMyNumber) {
      throw new TransformError(changeName, 'newMyNumber equals previousMyNumber');
    }
    return {
      lgCode: reply.lgCode,
      replyKind: 'MYNUMBER_CHANGED',
      juminhyoCode: reply.juminhyoCode,
      ...(reply.atenaNumber === undefined ? {} : { atenaNumber: reply.atenaNumber }),
      myNumber: reply.newMyNumber,
      previousMyNumber: reply.previousMyNumber,
      receivedAt: context.now,
    };
  },
});

/** 本人確認情報更新受理 → registry: mark the send as accepted. */
export const identityInfoUpdateAcknowledgedToRegistryCsReplyReceived = defineTransformer({
  name: 'identity-info-update-acknowledged-to-registry-cs-reply-received',
  from: 'identity-info.update.acknowledged',
  to: 'registry.cs-reply.received',
  description: {
    ja: '本人確認情報更新の受理を既存住基へ通知する',
    en: 'Reports an accepted identity information update to the registry',
  },
  transform(reply, context) {
    return {
      lgCode: reply.lgCode,
      replyKind: 'IDENTITY_INFO_ACCEPTED',
      juminhyoCode: reply.juminhyoCode,
      ...(reply.atenaNumber === undefined ? {} : { atenaNumber: reply.atenaNumber }),
      ...(reply.historyNo === undefined ? {} : { historyNo: reply.historyNo }),
      receivedAt: context.now,
    };
  },
});

/** 本人確認情報更新エラー → registry: the error goes to the operator screen (j1090). */
export const identityInfoUpdateRejectedToRegistryCsReplyReceived = defineTransformer({
  name: 'identity-info-update-rejected-to-registry-cs-reply-received',
  from: 'identity-info.update.rejected',
  to: 'registry.cs-reply.received',
  description: {
    ja: '本人確認情報更新エラーを既存住基へ通知する',
    en: 'Reports a rejected identity information update to the registry',
  },
  transform(reply, context) {
    return {
      lgCode: reply.lgCode,
      replyKind: 'IDENTITY_INFO_REJECTED',
      juminhyoCode: reply.juminhyoCode,
      ...(reply.atenaNumber === undefined ? {} : { atenaNumber: reply.atenaNumber }),
      ...(reply.historyNo === undefined ? {} : { historyNo: reply.historyNo }),
      errorCode: reply.errorCode,
      ...(reply.errorText === undefined ? {} : { errorText: reply.errorText }),
      receivedAt: context.now,
    };
  },
});

/**
 * 転入通知（受信） → registry: 転出先住所（確定）, 転出年月日（確定）, 転入通知年月日 for the 除票. The
 * 個人番号 a notice may carry is dropped: the registry already holds it (data minimisation).
 */
export const moveInNoticeReceivedToRegistryCsReplyReceived = defineTransformer({
  name: 'move-in-notice-received-to-registry-cs-reply-received',
  from: 'move-in.notice.received',
  to: 'registry.cs-reply.received',
  description: {
    ja: '受信した転入通知を除票への確定情報の反映依頼に変換する（個人番号は渡さない）',
    en: 'Maps a received move-in notice to the confirmed move-out data for the registry (My Number dropped)',
  },
  transform(notice, context) {
    return {
      lgCode: notice.lgCode,
      replyKind: 'MOVE_IN_NOTICE',
      juminhyoCode: notice.juminhyoCode,
      moveInNotice: {
        fromLgCode: notice.fromLgCode,
        confirmedDestination: notice.newAddress,
        confirmedMoveOutOn: notice.movedInOn,
        moveInNoticeOn: notice.noticeIssuedAt.slice(0, 10),
        noticeIssuedAt: notice.noticeIssuedAt,
      },
      receivedAt: context.now,
    };
  },
});
