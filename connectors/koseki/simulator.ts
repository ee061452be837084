/**
 * 戸籍システム simulator: answers certificate data for the synthetic population
 * (`POST /certificate-data`), which the convenience system asks for with `client.ts`.
 */
import express from 'express';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import { residentOf, seedOfSerial } from '../runtime/population.js';
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { KOSEKI, type KosekiData } from './client.js';

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
