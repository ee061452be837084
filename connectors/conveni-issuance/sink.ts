/**
 * 証明書コンビニ交付システム connector, egress: the center's kiosk requests, JSON over HTTP. The
 * catalogue declares certificate contents as carrying 個人番号 (a 住民票 may print it on request),
 * so this system, and the center behind it, are allowed 個人番号 on affair 11 only through those
 * types. What it answers is published by `ingress.ts`.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { conveniIssuanceDescriptor } from './descriptor.js';

/** The SystemId. */
export const CONVENI_ISSUANCE = conveniIssuanceDescriptor.system;

/** The convenience system's egress sink. */
export function conveniIssuanceSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: CONVENI_ISSUANCE,
    // Only on コンビニ交付: certificate contents are declared as carrying 個人番号 there.
    allowsMyNumber: conveniIssuanceDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
