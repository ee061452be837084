/**
 * 証明書コンビニ交付システム (証明発行サーバ) simulator. It answers only from what it received:
 * - 住民票関係情報 (11-①): every `resident.movement.recorded` the hub delivers, kept per 宛名番号 (the
 *   latest 履歴番号 wins), so the current address, status, 転出予定 and 世帯 are what the registry last said;
 * - 支援措置: every `suppression.changed` (a 一時解除 never arrives: the registry does not send it);
 * - 本籍地 利用登録 (`POST /honseki-registrations {authCertSerial}`), done by the resident beforehand.
 * For a `certificate.data.query` it applies the shared issuance rule (hub/support-measures/rule.ts),
 * asks the 戸籍 system (戸籍 kinds) or the 附票 system (KOSEKI_FUHYO) directly (11-④⑤), renders a PDF
 * stamped with the request, kind, card subject and resident, and answers `certificate.data.replied`.
 *
 * Its own deadline: if the answer is not ready shortly before the center's `respondBy`, it answers
 * TIMEOUT ("try at the counter") then, and the late certificate afterwards (which the hub drops).
 *
 * Faults for tests (`POST /faults`): `swap: [serialA, serialB]` answers A's request with B's
 * certificate and B's with A's; `late: [serial…], lateMs` delays those answers.
 * The card serial → 宛名番号 link is the synthetic population's (the card system is not routed yet).
 */
import express from 'express';
import { createHash } from 'node:crypto';
import { loggerFor } from '../../hub/logger.js';
import {
  applySuppressionChange,
  decideIssuance,
  type ResidentView,
  type SuppressionBook,
  type SuppressionChange,
} from '../../hub/support-measures/rule.js';
import { sampleAtenaNumber } from '../../schemas/sample.js';
import type {
  CertificateDataQuery,
  ResidentMovementRecorded,
  SuppressionChanged,
} from '../../schemas/types.gen.js';
import { residentKeyOf } from '../../transformers/kiosk-subject.js';
import { KOSEKI, queryKoseki } from '../koseki/client.js';
import type { Ingress } from '../runtime/ingress.js';
import { seedOfSerial } from '../runtime/population.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { publishAnswer, type CertificateAnswer } from './ingress.js';
import { CONVENI_ISSUANCE } from './sink.js';
import { renderCertificatePdf } from './pdf.js';

/** The 附票 system's id (its connector is connectors/koseki-fuhyo/, URL variable HUB_KOSEKI_FUHYO_URL). */
export const KOSEKI_FUHYO = 'KOSEKI_FUHYO';

/** Options of the convenience simulator. */
export interface ConveniSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  readonly kosekiUrl: () => string;
  /** Base URL of the 戸籍の附票 system; undefined when none is configured (附票 not offered). */
  readonly kosekiFuhyoUrl: () => string | undefined;
  /** Kinds offered at kiosks (default: all but TAX_INCOME). */
  readonly offered?: readonly string[];
}

const fees: Readonly<Record<string, number>> = {
  JUMINHYO: 200,
  JUMINHYO_KISAI: 200,
  INKAN: 200,
  KOSEKI_ZENBU: 450,
  KOSEKI_KOJIN: 450,
  KOSEKI_FUHYO: 300,
};

const defaultOffered = Object.keys(fees);

/** Milliseconds before `respondBy` at which the system gives up and answers TIMEOUT. */
export function budgetMargin(respondBy: number, now: number): number {
  return Math.min(2_000, Math.max(200, Math.floor((respondBy - now) / 4)));
}

/** One resident as the system holds it (from the last movement it received). */
interface Held {
  readonly historyNo: number;
  readonly view: ResidentView;
  readonly juminhyoCode: string;
  readonly honsekiIdentity: string | undefined;
  readonly addressText: string;
}

function todayInJapan(now: Date): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** The key of an address as the PDF shows it (the demo PDF prints keys, not personal data). */
export function addressKeyOf(addressText: string): string {
  return `a1:${createHash('sha256').update(addressText, 'utf8').digest('base64url')}`;
}

function heldOf(movement: ResidentMovementRecorded, cityName: string): Held {
  const { resident } = movement;
  const address = resident.address;
  const addressText = [
    address.prefecture,
    address.municipalityName,
    address.choaza ?? '',
    address.banchiGo ?? '',
    address.katagaki ?? '',
  ].join('');
  const honseki = resident.honseki;
  const honsekiAddress = honseki?.state === 'PRESENT' ? (honseki.address ?? '') : '';
  return {
    historyNo: movement.historyNo,
    juminhyoCode: resident.juminhyoCode,
    honsekiIdentity:
      honseki?.state === 'PRESENT' ? `${honsekiAddress}|${honseki.hittosha ?? ''}` : undefined,
    addressText,
    view: {
      atenaNumber: resident.atenaNumber,
      setaiNumber: resident.setaiNumber,
      residentStatus: resident.residentStatus,
      plannedMoveOutOn: movement.plannedMoveOutOn,
      honsekiInCity: honsekiAddress.includes(cityName),
    },
  };
}

/** Returns the convenience simulator (call `start()`). */
export function conveniIssuanceSimulator(options: ConveniSimOptions): Simulator & {
  readonly faults: { swapped: number; late: number; lateSent: number; timeouts: number };
} {
  const log = loggerFor('sim:CONVENI_ISSUANCE');
  const offered = new Set(options.offered ?? defaultOffered);
  const residents = new Map<string, Held>();
  let book: SuppressionBook = new Map();
  const registrations = new Set<string>();
  let cityName = '千代田区';
  let issued = 0;
  const faults = {
    swap: [] as string[],
    lateSerials: new Set<string>(),
    lateMs: 0,
    swapped: 0,
    late: 0,
    lateSent: 0,
    timeouts: 0,
  };
  // A swap partner that is ready first waits here for the other's certificate.
  const swapWaits = new Map<
    string,
    { answer: CertificateAnswer; resolve: (answer: CertificateAnswer) => void }
  >();

  function take(movement: ResidentMovementRecorded): void {
    const held = heldOf(movement, cityName);
    const before = residents.get(held.view.atenaNumber);
    // Per-resident order is the hub's; a replayed older history entry never overwrites a newer one.
    if (before !== undefined && before.historyNo > held.historyNo) return;
    residents.set(held.view.atenaNumber, held);
  }

  async function render(query: CertificateDataQuery, held: Held): Promise<CertificateAnswer> {
    const fee = fees[query.certificateType] ?? 0;
    const kind = query.certificateType;
    const lines: string[] = [];
    let identity = held.juminhyoCode;
    if (kind.startsWith('KOSEKI')) {
      const fuhyo = kind === 'KOSEKI_FUHYO';
      const url = fuhyo ? options.kosekiFuhyoUrl() : options.kosekiUrl();
      if (url === undefined) return { kind: 'refused', outcome: 'NOT_AVAILABLE' };
      const data = await queryKoseki(
        url,
        query.lgCode,
        query.authCertSerial,
        kind,
        fuhyo ? KOSEKI_FUHYO : KOSEKI,
      );
      if (data === undefined) return { kind: 'refused', outcome: 'NOT_FOUND' };
      lines.push(`Members: ${String(data.memberCount)}`, `Source subject: ${data.subjectKey}`);
      identity = held.honsekiIdentity ?? held.juminhyoCode;
    } else {
      lines.push(`History: ${String(held.historyNo)}`);
    }
    issued += 1;
    const issueNumber = `${query.lgCode}-KIOSK-${String(issued).padStart(6, '0')}`;
    const residentKey = residentKeyOf(query.lgCode, identity);
    const pdf = await renderCertificatePdf({
      subjectKey: query.subjectKey,
      certificateType: kind,
      issueNumber,
      centerRequestId: query.centerRequestId,
      residentKey,
      contentKey: addressKeyOf(held.addressText),
      lines,
    });
    return {
      kind: 'issued',
      authCertSerial: query.authCertSerial,
      atenaNumber: held.view.atenaNumber,
      residentKey,
      pdf,
      pageCount: 1,
      fee: fee * query.copies,
      issueNumber,
      subjectKey: query.subjectKey,
    };
  }

  async function answerFor(query: CertificateDataQuery): Promise<CertificateAnswer> {
    const seed = seedOfSerial(query.authCertSerial);
    const held = seed === undefined ? undefined : residents.get(sampleAtenaNumber(seed));
    const household =
      held === undefined
        ? []
        : [...residents.values()]
            .filter(
              (other) =>
                other.view.setaiNumber === held.view.setaiNumber &&
                other.view.residentStatus !== 'DELETED',
            )
            .map((other) => other.view);
    const decision = decideIssuance(
      {
        channel: 'KIOSK',
        certificateType: query.certificateType,
        householdScope: query.options.householdScope ?? 'SELF',
        subject: held?.view,
        household,
        offered,
        honsekiRegistered: registrations.has(query.authCertSerial.toUpperCase()),
        today: todayInJapan(new Date()),
      },
      book,
    );
    if (decision.kind === 'refuse') {
      return {
        kind: 'refused',
        outcome: decision.outcome,
        refusalRule: decision.rule,
        ...(decision.blockedReason === undefined ? {} : { blockedReason: decision.blockedReason }),
        ...(held === undefined
          ? {}
          : {
              subject: { authCertSerial: query.authCertSerial, atenaNumber: held.view.atenaNumber },
            }),
      };
    }
    if (held === undefined) return { kind: 'refused', outcome: 'NOT_FOUND' };
    return render(query, held);
  }

  /** The answer the faulty system gives: with `swap`, the partner's certificate. */
  async function faulty(
    query: CertificateDataQuery,
    answer: CertificateAnswer,
  ): Promise<CertificateAnswer> {
    const serial = query.authCertSerial.toUpperCase();
    const index = faults.swap.indexOf(serial);
    let given = answer;
    if (index >= 0 && answer.kind === 'issued') {
      const partner = faults.swap[1 - index] ?? '';
      const waiting = swapWaits.get(partner);
      if (waiting !== undefined) {
        swapWaits.delete(partner);
        waiting.resolve(answer);
        given = waiting.answer;
      } else {
        given = await new Promise<CertificateAnswer>((resolve) => {
          swapWaits.set(serial, { answer, resolve });
        });
      }
      faults.swapped += 1;
    }
    if (faults.lateSerials.has(serial)) {
      faults.late += 1;
      await new Promise((resolve) => setTimeout(resolve, faults.lateMs));
    }
    return given;
  }

  function handle(query: CertificateDataQuery, sagaSubject: string | undefined): void {
    const respondBy = Date.parse(query.respondBy);
    const state = { timedOut: false, done: false };
    const send = async (answer: CertificateAnswer) => {
      await publishAnswer(options.ingress, query, answer, sagaSubject);
    };
    const giveUpIn = Math.max(0, respondBy - budgetMargin(respondBy, Date.now()) - Date.now());
    const timer = setTimeout(() => {
      if (state.done) return;
      state.timedOut = true;
      faults.timeouts += 1;
      void send({ kind: 'refused', outcome: 'TIMEOUT' }).catch(() => undefined);
    }, giveUpIn);
    void (async () => {
      // A 戸籍 or 附票 system that is down is a refusal the kiosk hears about, never a silent wait.
      const answer = await answerFor(query).catch((): CertificateAnswer => ({
        kind: 'refused',
        outcome: 'NOT_AVAILABLE',
      }));
      const given = await faulty(query, answer);
      await sim.pace();
      state.done = true;
      clearTimeout(timer);
      if (state.timedOut) {
        // The work finished after the system gave up: its answer goes out after the deadline, as a
        // late system's would, and the hub must drop it (never deliver it to the center).
        const wait = respondBy + 50 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await send(given);
      if (state.timedOut) faults.lateSent += 1;
    })().catch((error: unknown) => {
      log.warn(
        {
          centerRequestId: query.centerRequestId,
          error: error instanceof Error ? error.name : 'error',
        },
        'certificate answer failed',
      );
    });
  }

  const base = createSimulator({
    system: CONVENI_ISSUANCE,
    port: options.port,
    onInbox(inbound) {
      const body = jsonOf(inbound);
      switch (inbound.messageType) {
        case 'resident.movement.recorded':
          take(body as ResidentMovementRecorded);
          return { body: { atenaNumber: (body as ResidentMovementRecorded).resident.atenaNumber } };
        case 'suppression.changed':
          book = applySuppressionChange(book, body as SuppressionChange);
          return { body: { scope: (body as SuppressionChanged).scope } };
        case 'certificate.data.query': {
          const query = body as CertificateDataQuery;
          setImmediate(() => {
            handle(query, inbound.sagaSubject);
          });
          return {
            body: {
              centerRequestId: query.centerRequestId,
              certificateType: query.certificateType,
              subjectKey: query.subjectKey,
            },
          };
        }
        default:
          return { body: {}, status: 422, reply: { error: `unexpected ${inbound.messageType}` } };
      }
    },
  });
  base.app.post('/honseki-registrations', express.json(), (req, res) => {
    const serial = (req.body as Record<string, unknown> | undefined)?.['authCertSerial'];
    if (typeof serial !== 'string' || serial === '') {
      res.status(400).json({ error: 'authCertSerial is required' });
      return;
    }
    registrations.add(serial.toUpperCase());
    res.json({ registered: true });
  });
  base.app.post('/faults', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const swap = Array.isArray(body['swap']) ? body['swap'].map(String) : [];
    faults.swap = swap.length === 2 ? swap.map((serial) => serial.toUpperCase()) : [];
    faults.lateSerials = new Set(
      (Array.isArray(body['late']) ? body['late'].map(String) : []).map((s) => s.toUpperCase()),
    );
    faults.lateMs = typeof body['lateMs'] === 'number' ? body['lateMs'] : 0;
    if (typeof body['cityName'] === 'string') cityName = body['cityName'];
    faults.swapped = 0;
    faults.late = 0;
    faults.lateSent = 0;
    faults.timeouts = 0;
    swapWaits.clear();
    res.json({ swap: faults.swap, late: faults.lateSerials.size, lateMs: faults.lateMs });
  });
  base.app.get('/faults', (_req, res) => {
    res.json({
      swapped: faults.swapped,
      late: faults.late,
      lateSent: faults.lateSent,
      timeouts: faults.timeouts,
    });
  });
  base.app.get('/residents', (_req, res) => {
    // Counts only: what it holds is personal data.
    res.json({ residents: residents.size, measures: book.size });
  });
  const sim = Object.assign(base, { faults });
  return sim;
}
