/**
 * 共通基盤 (宛名) connector: JSON over HTTP. The 宛名 system serves the city's non-My-Number
 * affairs, so it may never receive 個人番号 (the seed's 1-⑪ flow is 個人番号を含まない流れ); the
 * engine quarantines any message that would carry one here.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { createSimulator, type Simulator } from '../runtime/simulator.js';

/** The SystemId. */
export const KYOTSU_KIBAN = 'KYOTSU_KIBAN';

/** The 共通基盤 egress sink. */
export function kyotsuKibanSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: KYOTSU_KIBAN,
    allowsMyNumber: false,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** The 共通基盤 simulator: takes 宛名 updates. */
export function kyotsuKibanSimulator(port: number): Simulator {
  return createSimulator({ system: KYOTSU_KIBAN, port });
}
