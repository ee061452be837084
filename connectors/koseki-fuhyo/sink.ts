/**
 * 附票 connector, egress: 附票 notices as JSON over HTTP. The 附票 system refuses a notice for a 本籍
 * it does not hold with 422; that becomes a dead letter whose reason says so (an operator corrects
 * the 本籍 or registers it, then replays), never a silent drop. No 個人番号 may reach it.
 */
import type { Sink } from '../../hub/engine/step.js';
import { ConnectorError, HubError } from '../../hub/errors.js';
import { httpSink } from '../runtime/http-sink.js';
import { kosekiFuhyoDescriptor } from './descriptor.js';

/** The SystemId. */
export const KOSEKI_FUHYO = kosekiFuhyoDescriptor.system;

/** The status the 附票 system answers for a 本籍 it does not hold. */
export const UNKNOWN_HONSEKI_STATUS = 422;

/** A notice for a 本籍 the 附票 system does not hold: not retried, dead-lettered with this reason. */
export class UnknownHonsekiError extends HubError {
  constructor() {
    super(
      'HUB_FUHYO_UNKNOWN_HONSEKI',
      `${KOSEKI_FUHYO}: the 附票 system holds no such 本籍`,
      'dead-letter',
      {
        reasonClass: 'connector',
        reason: {
          ja: '附票システムにこの本籍（本籍・筆頭者）がありません。本籍を確認し、登録または訂正してから再処理してください',
          en: 'The koseki annex system holds no such 本籍 (domicile and head of the register). Check the 本籍, register or correct it, then replay',
        },
      },
    );
  }
}

/** The 附票 system's egress sink. */
export function kosekiFuhyoSink(baseUrl: string, timeoutMs?: number): Sink {
  const inner = httpSink({
    system: KOSEKI_FUHYO,
    allowsMyNumber: kosekiFuhyoDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return {
    system: inner.system,
    allowsMyNumber: inner.allowsMyNumber,
    async deliver(message) {
      try {
        await inner.deliver(message);
      } catch (error) {
        if (
          error instanceof ConnectorError &&
          error.message.includes(`HTTP ${String(UNKNOWN_HONSEKI_STATUS)} `)
        )
          throw new UnknownHonsekiError();
        throw error;
      }
    },
  };
}
