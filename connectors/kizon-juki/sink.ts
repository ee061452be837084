/**
 * 既存住基 (resident registry) connector, egress: JSON over HTTP (CS replies, consistency-check
 * results); the registry holds 個人番号, so it may receive them. What it originates is in `ingress.ts`,
 * its file exports' layouts in `layouts.ts`.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { kizonJukiDescriptor } from './descriptor.js';

/** The SystemId. */
export const KIZON_JUKI = kizonJukiDescriptor.system;

/** The registry's egress sink. */
export function kizonJukiSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: KIZON_JUKI,
    allowsMyNumber: kizonJukiDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
