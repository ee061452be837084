/**
 * 戸籍システム connector and simulator. For コンビニ交付 of 戸籍 certificates the convenience
 * system asks the 戸籍 system directly (seed 11-④⑤: 証明書コンビニ交付システム → 戸籍システム), so the
 * hub routes nothing to it in these affairs; `queryKoseki` is the convenience side's client. The
 * simulator answers certificate data for the synthetic population (`POST /certificate-data`).
 */
import express from 'express';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import { postBytes } from '../runtime/http-sink.js';
import { residentOf, seedOfSerial } from '../runtime/population.js';
import { createSimulator, type Simulator } from '../runtime/simulator.js';

/** The SystemId. */
export const KOSEKI = 'KOSEKI';

/** 戸籍 certificate data (keys and counts only; the demo PDF prints no names). */
export interface KosekiData {
  readonly subjectKey: string;
  readonly honsekiPresent: boolean;
  readonly memberCount: number;
}

/** Asks the 戸籍 system for certificate data; undefined when it knows nobody for the serial. */
export async function queryKoseki(
  baseUrl: string,
  lgCode: string,
  authCertSerial: string,
  certificateType: string,
): Promise<KosekiData | undefined> {
  try {
    const text = await postBytes(
      KOSEKI,
      `${baseUrl}/certificate-data`,
      JSON.stringify({ lgCode, authCertSerial, certificateType }),
      { contentType: 'application/json', timeoutMs: 5_000 },
    );
    return JSON.parse(text) as KosekiData;
  } catch (error) {
    if (error instanceof Error && error.message.includes('HTTP 404')) return undefined;
    throw error;
  }
}

/** The 戸籍 simulator. */
export function kosekiSimulator(port: number): Simulator {
  const sim = createSimulator({ system: KOSEKI, port });
  sim.app.post('/certificate-data', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const serial = typeof body['authCertSerial'] === 'string' ? body['authCertSerial'] : '';
    const lgCode = typeof body['lgCode'] === 'string' ? body['lgCode'] : '';
    if (sim.control.mode === '503') {
      res.status(503).json({ error: 'simulated outage' });
      return;
    }
    const seed = seedOfSerial(serial);
    if (seed === undefined) {
      res.status(404).json({ error: 'no 戸籍 for this subject' });
      return;
    }
    const resident = residentOf(seed);
    const data: KosekiData = {
      subjectKey: certificateSubjectKey(lgCode, serial),
      honsekiPresent: resident.honseki !== undefined,
      memberCount: 1 + (seed % 4),
    };
    sim.received.push({
      messageId: `koseki-${String(sim.received.length + 1)}`,
      messageType: 'koseki.certificate-data.query',
      correlationId: undefined,
      at: new Date().toISOString(),
      body: { certificateType: body['certificateType'], subjectKey: data.subjectKey },
    });
    res.json(data);
  });
  return sim;
}
