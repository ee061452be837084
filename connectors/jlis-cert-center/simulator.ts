/**
 * 証明書交付センター simulator: issues kiosk requests with deadlines (`POST /trigger/requests`) and
 * checks every answer: it must answer a request the center made, before its deadline (any answer
 * after it is `late`), and a
 * certificate's PDF must be stamped with the requested subject's key. `GET /results` shows the
 * verdict per request (issued, failed, late, cross-delivery).
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import type {
  CertificateType,
  KioskCertificateFailed,
  KioskCertificateProduced,
  KioskCertificateRequested,
} from '../../schemas/types.gen.js';
import { sampleLgCode } from '../../schemas/sample.js';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import { contentKeyOfPdf, subjectKeyOfPdf } from '../conveni-issuance/pdf.js';
import type { Ingress } from '../runtime/ingress.js';
import { certSerialOf } from '../runtime/population.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { publishKioskRequest } from './ingress.js';
import { JLIS_CERT_CENTER } from './sink.js';

/** The center's verdict on one request. */
export interface CenterVerdict {
  readonly centerRequestId: string;
  readonly certificateType: string;
  status: 'pending' | 'issued' | 'failed' | 'late' | 'cross-delivery' | 'unknown-request';
  errorKind?: string;
  answers: number;
}

const certificateTypes: readonly CertificateType[] = [
  'JUMINHYO',
  'JUMINHYO_KISAI',
  'INKAN',
  'KOSEKI_ZENBU',
  'KOSEKI_KOJIN',
  'KOSEKI_FUHYO',
  'TAX_INCOME',
];

/** Options of the center simulator. */
export interface CenterSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
}

/** Returns the center simulator (call `start()`). */
export function jlisCertCenterSimulator(options: CenterSimOptions): Simulator & {
  readonly verdicts: Map<string, CenterVerdict>;
} {
  const pending = new Map<string, KioskCertificateRequested>();
  const verdicts = new Map<string, CenterVerdict>();
  const sim = createSimulator({
    system: JLIS_CERT_CENTER,
    port: options.port,
    onInbox(inbound) {
      const body = jsonOf(inbound) as KioskCertificateProduced | KioskCertificateFailed;
      const request = pending.get(body.centerRequestId);
      const verdict = verdicts.get(body.centerRequestId);
      if (!request || !verdict) {
        return { body: { centerRequestId: body.centerRequestId, verdict: 'unknown-request' } };
      }
      verdict.answers += 1;
      if (Date.now() > Date.parse(request.respondBy)) {
        // Any answer after the deadline: the kiosk has given up; a certificate must not be printed.
        verdict.status = 'late';
      } else if ('errorKind' in body) {
        verdict.status = 'failed';
        verdict.errorKind = body.errorKind;
      } else {
        const expected = certificateSubjectKey(request.lgCode, request.authCertSerial);
        const stamped = subjectKeyOfPdf(Buffer.from(body.pdfBase64, 'base64'));
        verdict.status =
          stamped === expected && body.subjectKey === expected ? 'issued' : 'cross-delivery';
      }
      // The PDF itself is not kept in /received: keys and the verdict are what a test checks.
      const summary =
        'pdfBase64' in body
          ? {
              ...body,
              pdfBase64: undefined,
              pdfBytes: Buffer.from(body.pdfBase64, 'base64').length,
              pdfSubjectKey: subjectKeyOfPdf(Buffer.from(body.pdfBase64, 'base64')),
              pdfContentKey: contentKeyOfPdf(Buffer.from(body.pdfBase64, 'base64')),
            }
          : body;
      return { body: summary };
    },
  });
  sim.app.get('/results', (_req, res) => {
    res.json({ results: [...verdicts.values()] });
  });
  sim.app.post('/trigger/requests', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const count =
        typeof body['count'] === 'number' ? Math.min(1000, Math.max(1, body['count'])) : 1;
      const firstSeed = typeof body['firstSeed'] === 'number' ? body['firstSeed'] : 1;
      // Explicit seeds (any order) instead of count/firstSeed.
      const seeds = Array.isArray(body['seeds'])
        ? (body['seeds'] as unknown[]).filter((seed): seed is number => typeof seed === 'number')
        : undefined;
      const within = typeof body['respondWithinMs'] === 'number' ? body['respondWithinMs'] : 10_000;
      const requested = Array.isArray(body['types'])
        ? (body['types'] as unknown[]).filter((type): type is CertificateType =>
            certificateTypes.includes(type as CertificateType),
          )
        : [];
      const certificateOptions =
        body['householdAll'] === true ? { householdScope: 'HOUSEHOLD_ALL' as const } : {};
      const types = requested.length > 0 ? requested : (['JUMINHYO', 'KOSEKI_ZENBU'] as const);
      const now = Date.now();
      const made: { centerRequestId: string; certificateType: string; subjectKey: string }[] = [];
      const requests: KioskCertificateRequested[] = [];
      const total = seeds?.length ?? count;
      for (let index = 0; index < total; index += 1) {
        const seed = seeds?.[index] ?? firstSeed + index;
        const certificateType = types[index % types.length] ?? 'JUMINHYO';
        const request: KioskCertificateRequested = {
          lgCode: sampleLgCode,
          centerRequestId: `JLIS-${randomUUID()}`,
          authCertSerial: certSerialOf(seed),
          certificateType,
          options: certificateOptions,
          copies: 1,
          kioskVendor: 'SIM',
          requestedAt: new Date(now).toISOString(),
          respondBy: new Date(now + within).toISOString(),
        };
        pending.set(request.centerRequestId, request);
        verdicts.set(request.centerRequestId, {
          centerRequestId: request.centerRequestId,
          certificateType,
          status: 'pending',
          answers: 0,
        });
        requests.push(request);
        made.push({
          centerRequestId: request.centerRequestId,
          certificateType,
          subjectKey: certificateSubjectKey(request.lgCode, request.authCertSerial),
        });
      }
      try {
        // Concurrent, as kiosks are: every request is in flight at once.
        await Promise.all(requests.map((request) => publishKioskRequest(options.ingress, request)));
        res.json({ requests: made });
      } catch {
        res.status(503).json({ error: 'the hub did not take the requests' });
      }
    })();
  });
  return Object.assign(sim, { verdicts });
}
