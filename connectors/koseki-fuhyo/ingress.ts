/** 附票 ingress: the 附票 system's acknowledgement of a notice it recorded (for the CS to send back). */
import type { KosekiFuhyoEntryNoticeApplied } from '../../schemas/types.gen.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { kosekiFuhyoDescriptor } from './descriptor.js';

/** Publishes that a notice was recorded; keyed by the notice, so a second report is a duplicate. */
export function publishFuhyoApplied(
  ingress: Ingress,
  applied: KosekiFuhyoEntryNoticeApplied,
  correlationId?: string,
): Promise<IngressResult> {
  return ingress.publish(
    kosekiFuhyoDescriptor.system,
    'koseki-fuhyo.entry-notice.applied',
    applied,
    {
      eventKey: `applied:${applied.noticeId}`,
      correlationId,
    },
  );
}
