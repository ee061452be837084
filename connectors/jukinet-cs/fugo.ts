/**
 * Affair 5 behind the 市町村CS: the 機構 passes each 符号取得要求 to the 情報提供ネットワークシステム,
 * which generates the 情報提供用個人識別符号 (符号) — a different one per institution for the same
 * person — and the CS answers the requester. Two parts:
 *
 * - `infoProvisionNetworkSimulator`: `POST /generate {lgCode, items: [{processingSerial, myNumber}]}`
 *   answers, pair by pair, a 符号 or a refusal (a 個人番号 with a wrong check digit or that nobody
 *   holds, a 処理通番 twice in one batch). One bad pair never fails the others. `GET /issued` lists what it generated (tests).
 * - `forwardFugoRequest`: what the CS simulator does with `fugo.acquisition.requested` (5-③④):
 *   ask the network, then publish `fugo.acquisition.completed` (the 符号, for the 中間サーバ) and
 *   `fugo.acquisition.reported` (counts and refusals, no 符号, for the 統合宛名).
 *
 * The 符号 is handled like a My Number: never logged (only counts are), masked in every view.
 */
import { createHmac } from 'node:crypto';
import express from 'express';
import { isValidMyNumber } from '../../hub/security/my-number.js';
import { withFugoCheckChar } from '../../hub/security/fugo.js';
import type {
  FugoAcquisitionCompleted,
  FugoAcquisitionRequested,
} from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import {
  createSimulator,
  type Inbound,
  type InboxResult,
  type Simulator,
} from '../runtime/simulator.js';
import { infoProvisionNetworkDescriptor } from './descriptor.js';
import { publishCsReply } from './ingress.js';

type Failure = FugoAcquisitionCompleted['failures'][number];
type Issued = FugoAcquisitionCompleted['fugos'][number];

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The simulated 機構's key for 符号 generation (a fake system's constant, not a hub secret). */
const networkKey = 'sim-info-provision-network';

/** The 符号 of a person for one institution: stable, different per institution. */
function fugoOf(institution: string, myNumber: string): string {
  const digest = createHmac('sha256', networkKey).update(`${institution}:${myNumber}`).digest();
  let base = '';
  for (let index = 0; index < 31; index += 1) base += base32[(digest[index] ?? 0) % 32] ?? 'A';
  return withFugoCheckChar(base);
}

/**
 * Whether the simulated 機構 holds this 個人番号: the synthetic city's numbers (0000 + seed + check
 * digit, connectors/runtime/population.ts). A valid number outside it is nobody's.
 */
function isKnown(myNumber: string): boolean {
  return isValidMyNumber(myNumber) && myNumber.startsWith('0000') && myNumber !== '000000000000';
}

/** The network's answer for one batch. */
export interface GenerateResult {
  readonly fugos: Issued[];
  readonly failures: Failure[];
}

/** Generates the 符号 of a batch, pair by pair. */
export function generateFugos(
  institution: string,
  items: readonly { processingSerial: string; myNumber: string }[],
): GenerateResult {
  const fugos: Issued[] = [];
  const failures: Failure[] = [];
  const serials = new Set<string>();
  for (const item of items) {
    if (serials.has(item.processingSerial)) {
      failures.push({
        processingSerial: item.processingSerial,
        errorCode: 'F409',
        reasonJa: '同じ処理通番が要求内に重複しています',
        reasonEn: 'the processing serial appears twice in the request',
      });
      continue;
    }
    serials.add(item.processingSerial);
    if (!isValidMyNumber(item.myNumber)) {
      failures.push({
        processingSerial: item.processingSerial,
        errorCode: 'F400',
        reasonJa: '個人番号の検査数字が一致しません',
        reasonEn: 'the My Number check digit does not match',
      });
      continue;
    }
    if (!isKnown(item.myNumber)) {
      failures.push({
        processingSerial: item.processingSerial,
        errorCode: 'F404',
        reasonJa: '該当する個人番号が機構にありません',
        reasonEn: 'J-LIS holds no person with this My Number',
      });
      continue;
    }
    fugos.push({
      processingSerial: item.processingSerial,
      fugo: fugoOf(institution, item.myNumber),
    });
  }
  return { fugos, failures };
}

/** The 情報提供ネットワークシステム simulator (call `start()`). */
export function infoProvisionNetworkSimulator(port: number): Simulator {
  const issued: Issued[] = [];
  const sim = createSimulator({ system: infoProvisionNetworkDescriptor.system, port });
  sim.app.post('/generate', express.json({ limit: '50mb' }), (req, res) => {
    const body = (req.body ?? {}) as { lgCode?: unknown; items?: unknown };
    if (typeof body.lgCode !== 'string' || !Array.isArray(body.items)) {
      res.status(400).json({ error: 'lgCode and items are required' });
      return;
    }
    const result = generateFugos(
      body.lgCode,
      body.items as { processingSerial: string; myNumber: string }[],
    );
    issued.push(...result.fugos);
    res.json(result);
  });
  sim.app.get('/issued', (_req, res) => {
    res.json({ count: issued.length, issued });
  });
  return sim;
}

/** What the CS simulator needs to forward a 符号取得要求. */
export interface FugoForwarding {
  readonly ingress: Ingress;
  readonly networkUrl: () => string;
  /** Runs the work after the HTTP answer, as the CS answers asynchronously. */
  readonly later: (what: string, work: () => Promise<void>) => void;
}

/** The CS's handling of `fugo.acquisition.requested` (5-③④). */
export function forwardFugoRequest(
  inbound: Inbound,
  body: unknown,
  options: FugoForwarding,
): InboxResult {
  const request = body as FugoAcquisitionRequested;
  options.later('fugo', async () => {
    const text = await postBytes(
      infoProvisionNetworkDescriptor.system,
      `${options.networkUrl()}/generate`,
      JSON.stringify({ lgCode: request.lgCode, items: request.items }),
      { contentType: 'application/json', timeoutMs: 60_000 },
    );
    const result = JSON.parse(text) as GenerateResult;
    const keys = { lgCode: request.lgCode, batchId: request.batchId };
    await publishCsReply(
      options.ingress,
      'fugo.acquisition.completed',
      { ...keys, fugos: result.fugos, failures: result.failures },
      `${inbound.messageId}:completed`,
      inbound.correlationId,
    );
    await publishCsReply(
      options.ingress,
      'fugo.acquisition.reported',
      {
        ...keys,
        requestedCount: request.items.length,
        acquiredCount: result.fugos.length,
        failures: result.failures,
      },
      `${inbound.messageId}:reported`,
      inbound.correlationId,
    );
  });
  // What the CS records of the request: counts only (the pairs carry 個人番号).
  return { body: { batchId: request.batchId, items: request.items.length } };
}
