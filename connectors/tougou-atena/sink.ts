/**
 * 団体内統合宛名 connector: JSON over HTTP; it links 個人番号 to the 団体内統合宛名番号, so it may
 * receive 個人番号.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { tougouAtenaDescriptor } from './descriptor.js';

/** The SystemId. */
export const TOUGOU_ATENA = tougouAtenaDescriptor.system;

/** The 統合宛名 egress sink. */
export function tougouAtenaSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: TOUGOU_ATENA,
    allowsMyNumber: tougouAtenaDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
