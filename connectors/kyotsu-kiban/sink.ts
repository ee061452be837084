/**
 * 共通基盤 (宛名) connector: JSON over HTTP. The 宛名 system serves the city's non-My-Number
 * affairs, so it may never receive 個人番号 (the seed's 1-⑪ flow is 個人番号を含まない流れ); the
 * engine quarantines any message that would carry one here.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { kyotsuKibanDescriptor } from './descriptor.js';

/** The SystemId. */
export const KYOTSU_KIBAN = kyotsuKibanDescriptor.system;

/** The 共通基盤 egress sink. */
export function kyotsuKibanSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: KYOTSU_KIBAN,
    allowsMyNumber: kyotsuKibanDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
