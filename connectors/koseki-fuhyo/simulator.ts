/**
 * 附票 simulator. It holds the 附票 of the 戸籍 kept in its city: an index of the 本籍 it knows (by
 * default the synthetic population's; `POST /honseki {addresses}` adds more) and, per person, the
 * entries recorded from notices. On `/inbox` it records a notice once per `noticeId` (a resend is
 * acknowledged, not recorded again), refuses a 本籍 it does not know with 422, and acknowledges
 * notices from other municipalities through the 附票 connector's ingress (the hub sends them back via
 * the CS). `GET /fuhyo` lists the recorded entries (the tests' oracle). It also answers
 * `POST /certificate-data` like the 戸籍 simulator, from the 附票 it holds (戸籍の附票の写し).
 */
import express from 'express';
import type {
  KosekiFuhyoEntryNoticeReceived,
  KosekiFuhyoEntryNoticeSent,
} from '../../schemas/types.gen.js';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import type { KosekiData } from '../koseki/client.js';
import { residentOf, seedOfSerial } from '../runtime/population.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { kosekiFuhyoDescriptor } from './descriptor.js';
import { publishFuhyoApplied } from './ingress.js';
import { UNKNOWN_HONSEKI_STATUS } from './sink.js';

/** One recorded 附票 entry (what the oracle reads). */
export interface FuhyoEntry {
  readonly noticeId: string;
  readonly juminhyoCode: string;
  readonly honsekiAddress: string;
  readonly fromLgCode: string;
  readonly isOverseasEmigrant: boolean;
  readonly recordedAt: string;
}

/** Options of the 附票 simulator. */
export interface KosekiFuhyoSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  /** 本籍 addresses it holds at start (default: the synthetic population's). */
  readonly honseki?: readonly string[];
}

/** Returns the 附票 simulator (call `start()`). */
export function kosekiFuhyoSimulator(options: KosekiFuhyoSimOptions): Simulator {
  const known = new Set(options.honseki ?? [residentOf(1).honseki?.address ?? '']);
  const entries: FuhyoEntry[] = [];
  const byNotice = new Set<string>();
  const sim: Simulator = createSimulator({
    system: kosekiFuhyoDescriptor.system,
    port: options.port,
    onInbox(inbound) {
      const body = jsonOf(inbound);
      const viaCs = inbound.messageType === 'koseki-fuhyo.entry-notice.received';
      if (!viaCs && inbound.messageType !== 'koseki-fuhyo.entry-notice.sent')
        return { body, status: 400 };
      const notice = body as KosekiFuhyoEntryNoticeSent | KosekiFuhyoEntryNoticeReceived;
      if (!known.has(notice.honseki.address)) return { body, status: UNKNOWN_HONSEKI_STATUS };
      const fromLgCode = 'fromLgCode' in notice ? notice.fromLgCode : notice.residenceLgCode;
      if (!byNotice.has(notice.noticeId)) {
        byNotice.add(notice.noticeId);
        entries.push({
          noticeId: notice.noticeId,
          juminhyoCode: notice.juminhyoCode,
          honsekiAddress: notice.honseki.address,
          fromLgCode,
          isOverseasEmigrant: notice.isOverseasEmigrant === true,
          recordedAt: new Date().toISOString(),
        });
      }
      if (viaCs) {
        // Acknowledged after answering, as the real system records first and reports later.
        setImmediate(() => {
          void publishFuhyoApplied(
            options.ingress,
            {
              lgCode: notice.honsekiLgCode,
              noticeId: notice.noticeId,
              residenceLgCode: fromLgCode,
              juminhyoCode: notice.juminhyoCode,
              viaCs: true,
              appliedAt: new Date().toISOString(),
            },
            inbound.correlationId,
          ).catch(() => undefined);
        });
      }
      return { body };
    },
  });
  sim.app.post('/honseki', express.json(), (req, res) => {
    const list = ((req.body ?? {}) as { addresses?: unknown }).addresses;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      res.status(400).json({ error: 'addresses must be an array of strings' });
      return;
    }
    for (const address of list) known.add(address);
    res.json({ known: known.size });
  });
  sim.app.get('/fuhyo', (_req, res) => {
    res.json({ count: entries.length, entries });
  });
  sim.app.post('/certificate-data', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const serial = typeof body['authCertSerial'] === 'string' ? body['authCertSerial'] : '';
    const lgCode = typeof body['lgCode'] === 'string' ? body['lgCode'] : '';
    if (sim.control.mode === '503') {
      res.status(503).json({ error: 'simulated outage' });
      return;
    }
    const seed = seedOfSerial(serial);
    const resident = seed === undefined ? undefined : residentOf(seed);
    const address = resident?.honseki?.address;
    if (resident === undefined || address === undefined || !known.has(address)) {
      res.status(404).json({ error: 'no 附票 for this subject' });
      return;
    }
    const recorded = entries.filter((entry) => entry.juminhyoCode === resident.juminhyoCode);
    const data: KosekiData = {
      subjectKey: certificateSubjectKey(lgCode, serial),
      honsekiPresent: true,
      memberCount: 1 + recorded.length,
    };
    sim.received.push({
      messageId: `fuhyo-${String(sim.received.length + 1)}`,
      messageType: 'koseki.certificate-data.query',
      correlationId: undefined,
      at: new Date().toISOString(),
      body: { certificateType: body['certificateType'], subjectKey: data.subjectKey },
    });
    res.json(data);
  });
  return sim;
}
