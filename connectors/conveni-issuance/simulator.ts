/**
 * 証明書コンビニ交付システム simulator: takes kiosk requests, resolves the subject from its
 * 住民票関係情報 cache (the synthetic population) or asks the 戸籍 system for 戸籍 certificates,
 * renders a real PDF stamped with the subject key, and answers through the connector (after the
 * `late` delay when one is set, which is how tests push an answer past its deadline).
 */
import { loggerFor } from '../../hub/logger.js';
import type { KioskCertificateRequested } from '../../schemas/types.gen.js';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import { queryKoseki } from '../koseki/client.js';
import type { Ingress } from '../runtime/ingress.js';
import { seedOfSerial } from '../runtime/population.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { publishAnswer, type CertificateAnswer } from './ingress.js';
import { CONVENI_ISSUANCE } from './sink.js';
import { renderCertificatePdf } from './pdf.js';

/** Options of the convenience simulator. */
export interface ConveniSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  readonly kosekiUrl: () => string;
}

const fees: Readonly<Record<string, number>> = {
  JUMINHYO: 200,
  JUMINHYO_KISAI: 200,
  INKAN: 200,
  KOSEKI_ZENBU: 450,
  KOSEKI_KOJIN: 450,
  KOSEKI_FUHYO: 300,
};

/** Returns the convenience simulator (call `start()`). */
export function conveniIssuanceSimulator(options: ConveniSimOptions): Simulator {
  const log = loggerFor('sim:CONVENI_ISSUANCE');
  let issued = 0;

  async function answerFor(request: KioskCertificateRequested): Promise<CertificateAnswer> {
    const fee = fees[request.certificateType];
    if (fee === undefined) return { kind: 'failed', errorKind: 'NOT_AVAILABLE' };
    if (seedOfSerial(request.authCertSerial) === undefined)
      return { kind: 'failed', errorKind: 'NOT_FOUND' };
    const subjectKey = certificateSubjectKey(request.lgCode, request.authCertSerial);
    const lines: string[] = [];
    if (request.certificateType.startsWith('KOSEKI')) {
      const data = await queryKoseki(
        options.kosekiUrl(),
        request.lgCode,
        request.authCertSerial,
        request.certificateType,
      );
      if (data === undefined) return { kind: 'failed', errorKind: 'NOT_FOUND' };
      lines.push(
        `Koseki members: ${String(data.memberCount)}`,
        `Koseki subject: ${data.subjectKey}`,
      );
    } else {
      lines.push('Source: juminhyo cache');
    }
    issued += 1;
    const issueNumber = `${request.lgCode}-KIOSK-${String(issued).padStart(6, '0')}`;
    const pdf = await renderCertificatePdf({
      subjectKey,
      certificateType: request.certificateType,
      issueNumber,
      centerRequestId: request.centerRequestId,
      lines,
    });
    return { kind: 'issued', pdf, pageCount: 1, fee: fee * request.copies, issueNumber };
  }

  const sim: Simulator = createSimulator({
    system: CONVENI_ISSUANCE,
    port: options.port,
    onInbox(inbound) {
      const request = jsonOf(inbound) as KioskCertificateRequested;
      setImmediate(() => {
        void (async () => {
          // A 戸籍 system that is down is a SYSTEM failure at the kiosk, never a silent wait.
          const answer = await answerFor(request).catch((): CertificateAnswer => ({
            kind: 'failed',
            errorKind: 'SYSTEM',
          }));
          await sim.pace();
          await publishAnswer(options.ingress, request, answer);
        })().catch((error: unknown) => {
          log.warn(
            {
              centerRequestId: request.centerRequestId,
              error: error instanceof Error ? error.name : 'error',
            },
            'certificate answer failed',
          );
        });
      });
      return { body: request };
    },
  });
  return sim;
}
