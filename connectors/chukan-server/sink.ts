/**
 * 中間サーバ connector. The hub reaches the 中間サーバ only through 団体内統合宛名 (seed 1-⑫), so
 * the routes use no sink of its own; the sink exists for affairs that will (5: 情報提供用個人識別符号).
 * It may receive 個人番号 (番号法 情報連携).
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { chukanServerDescriptor } from './descriptor.js';

/** The SystemId. */
export const CHUKAN_SERVER = chukanServerDescriptor.system;

/** The 中間サーバ egress sink. */
export function chukanServerSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: CHUKAN_SERVER,
    allowsMyNumber: chukanServerDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
