/**
 * The counter's HTTP API (affairs 3 and 6), for signed-in operators at a 統合端末 or a 窓口 terminal,
 * and the access record for auditors:
 * - `POST /api/terminal/searches`, `POST /api/terminal/inquiries` — 本人確認情報 search / 情報照会,
 *   with the terminal in `X-Terminal-Id`, the 事務 in `purpose` and the deadline in `respondBy`;
 * - `POST /api/counter/juminhyo` — a 住民票の写し (the PDF as base64, with its verification code);
 * - `GET /api/audit/access?day=YYYY-MM-DD` — every access of one day (Japan time), hashes only.
 * A person waits at the counter, so these are request/reply calls with the terminal's deadline
 * rather than routed messages (docs/architecture.md, "Affairs 3 and 6").
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { counterJuminhyoData } from '../../connectors/kizon-juki/counter.js';
import { createIngress } from '../../connectors/runtime/ingress.js';
import { simAddresses } from '../../connectors/runtime/systems.js';
import { tougouTanmatsuDescriptor } from '../../connectors/tougou-tanmatsu/descriptor.js';
import { authenticate, principalOf, requireRole } from '../http/auth.js';
import { loggerFor } from '../logger.js';
import { definePlugin } from '../plugin.js';
import { accessRecords } from '../store/access-records.js';
import { runIdentityRequest, type IdentityEndpoints } from './identity.js';
import { issueJuminhyo, type JuminhyoItems, type Requester } from './juminhyo.js';
import { checkCertificateFont } from './pdf.js';
import { purposeOf, purposes } from './purposes.js';
import type { IssuanceRefusalRecorded } from '../../schemas/types.gen.js';

/** Where the counter reaches the systems. */
export interface CounterEndpoints extends IdentityEndpoints {
  /** 既存住基 base URL (its 窓口). */
  readonly registry: string;
}

/** Longest deadline a terminal may set. */
const MAX_WAIT_MS = 60_000;
const REGISTRY_TIMEOUT_MS = 10_000;

class Refusal extends Error {
  readonly status: number;
  readonly en: string;
  readonly ja: string;

  constructor(status: number, en: string, ja: string) {
    super(en);
    this.status = status;
    this.en = en;
    this.ja = ja;
  }
}

const bad = (en: string, ja: string) => new Refusal(400, en, ja);

function text(value: unknown, name: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw bad(`${name} is missing or malformed`, `${name} がないか形式が正しくありません`);
  return value;
}

function optionalText(value: unknown, name: string, pattern: RegExp): string | undefined {
  return value === undefined ? undefined : text(value, name, pattern);
}

function operatorOf(res: Response): string {
  const principal = principalOf(res);
  if (principal?.kind !== 'user')
    throw new Refusal(403, 'sign in as a person', '利用者として認証してください');
  return principal.username;
}

function terminalOf(req: Request): string {
  return text(req.header('x-terminal-id'), 'X-Terminal-Id', /^[A-Za-z0-9_-]{1,64}$/);
}

function requestIdOf(value: unknown): string {
  return optionalText(value, 'requestId', /^[A-Za-z0-9_-]{8,64}$/) ?? randomUUID();
}

/** One line of text: 1–200 characters, no control characters. */
const shortText = /^[^\p{Cc}]{1,200}$/u;

function criteriaOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null)
    throw bad('criteria must be an object', 'criteria はオブジェクトで指定してください');
  const source = value as Record<string, unknown>;
  const out: Record<string, string> = {};
  const juminhyoCode = optionalText(source['juminhyoCode'], 'criteria/juminhyoCode', /^[0-9]{11}$/);
  const myNumber = optionalText(source['myNumber'], 'criteria/myNumber', /^[0-9]{12}$/);
  const name = optionalText(source['name'], 'criteria/name', shortText);
  const birthDate = optionalText(source['birthDate'], 'criteria/birthDate', /^\d{4}-\d{2}-\d{2}$/);
  const sex = optionalText(source['sex'], 'criteria/sex', /^(MALE|FEMALE|OTHER|UNKNOWN)$/);
  const address = optionalText(source['address'], 'criteria/address', shortText);
  for (const [key, item] of Object.entries({
    juminhyoCode,
    myNumber,
    name,
    birthDate,
    sex,
    address,
  }))
    if (item !== undefined) out[key] = item;
  if (
    juminhyoCode === undefined &&
    myNumber === undefined &&
    (name === undefined || birthDate === undefined)
  )
    throw bad(
      'criteria: give juminhyoCode, myNumber, or name and birthDate (address and sex optional)',
      'criteria: 住民票コード、個人番号、または氏名と生年月日（住所・性別は任意）を指定してください',
    );
  return out;
}

function deadlineOf(value: unknown, now: number): number {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    throw bad('respondBy (ISO 8601) is required', 'respondBy（ISO 8601 の期限）を指定してください');
  return Math.min(at, now + MAX_WAIT_MS);
}

function requesterOf(value: unknown): Requester {
  const source = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const kind = text(source['kind'], 'requester/kind', /^(SELF|PROXY)$/) as Requester['kind'];
  const atenaNumber = optionalText(source['atenaNumber'], 'requester/atenaNumber', /^[0-9]{10}$/);
  const relation = optionalText(source['relation'], 'requester/relation', shortText);
  if (kind === 'PROXY' && relation === undefined)
    throw bad(
      'requester/relation is required for a proxy',
      '代理人の場合は requester/relation（関係）が必要です',
    );
  return {
    kind,
    identityDocument: text(
      source['identityDocument'],
      'requester/identityDocument',
      /^[A-Z_]{2,32}$/,
    ),
    ...(atenaNumber === undefined ? {} : { atenaNumber }),
    ...(relation === undefined ? {} : { relation }),
  };
}

function itemsOf(value: unknown): JuminhyoItems {
  const source = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const scope = text(
    source['scope'] ?? 'PART',
    'items/scope',
    /^(HOUSEHOLD_ALL|PART)$/,
  ) as JuminhyoItems['scope'];
  const members = source['members'];
  if (
    members !== undefined &&
    (!Array.isArray(members) ||
      members.some((m) => typeof m !== 'string' || !/^[0-9]{10}$/.test(m)))
  )
    throw bad(
      'items/members must be 宛名番号 (10 digits)',
      'items/members は宛名番号（10桁）の配列です',
    );
  const flag = (name: string) => {
    const flagValue = source[name] ?? false;
    if (typeof flagValue !== 'boolean')
      throw bad(`items/${name} must be true or false`, `items/${name} は true か false です`);
    return flagValue;
  };
  return {
    scope,
    ...(members === undefined ? {} : { members: members as string[] }),
    honseki: flag('honseki'),
    relationship: flag('relationship'),
    myNumber: flag('myNumber'),
  };
}

function handle(work: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => {
    work(req, res).catch((error: unknown) => {
      if (error instanceof Refusal) {
        res.status(error.status).json({ error: error.en, ja: error.ja });
        return;
      }
      next(error);
    });
  };
}

/** Japan-time day [from, to). */
function dayRange(day: string): { from: Date; to: Date } {
  const from = new Date(`${day}T00:00:00+09:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(from.getTime()))
    throw bad('day must be YYYY-MM-DD', 'day は YYYY-MM-DD で指定してください');
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** The counter plugin; `endpoints` defaults to HUB_<SYSTEM>_URL, else the simulators' ports. */
export function counterPlugin(options: { endpoints?: () => CounterEndpoints } = {}) {
  return definePlugin({
    name: 'counter',
    needs: ['config', 'store', 'broker', 'keyRing', 'app', 'credentials'],
    start(context) {
      const { config, store, keyRing } = context;
      // No Japanese font, no certificates: stop here with the variable named.
      checkCertificateFont(config.certificateFont);
      const log = loggerFor('counter');
      const urls = { ...simAddresses(), ...config.systemUrls };
      const endpoints =
        options.endpoints ??
        (() => ({
          cs: urls.JUKINET_CS,
          national: urls.NATIONAL_SERVER,
          registry: urls.KIZON_JUKI,
        }));
      const records = accessRecords(store);
      const ingress = createIngress(() => context.broker.publisher);
      const publishRefusal = async (refusal: IssuanceRefusalRecorded) => {
        const result = await ingress.publish(
          tougouTanmatsuDescriptor.system,
          'issuance.refusal.recorded',
          refusal,
          { eventKey: `counter-refusal:${refusal.requestId}` },
        );
        if (!result.accepted) throw new Error('the refusal was not accepted by the broker');
      };
      const router = express.Router();
      // Only on these paths: other plugins' /api routes keep their own authentication.
      const guard = [express.json({ limit: '64kb' }), authenticate(context.credentials)];
      const identity = (kind: 'SEARCH' | 'INQUIRY') =>
        handle(async (req, res) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const purpose = purposeOf(body['purpose']);
          if (purpose === undefined)
            throw bad(
              `purpose must be one of ${[...purposes.keys()].join(', ')}`,
              `purpose（事務）は ${[...purposes.keys()].join('、')} のいずれかです`,
            );
          const result = await runIdentityRequest(
            {
              kind,
              requestId: requestIdOf(body['requestId']),
              operator: operatorOf(res),
              terminal: terminalOf(req),
              purpose,
              criteria: criteriaOf(body['criteria']),
              deadline: deadlineOf(body['respondBy'], Date.now()),
            },
            endpoints(),
            records,
            keyRing.hasher(),
          );
          log.info(
            {
              requestId: result.requestId,
              kind,
              status: result.status,
              count: result.records.length,
            },
            'identity request answered',
          );
          res.set('Cache-Control', 'no-store').json(result);
        });
      router.post('/terminal/searches', ...guard, requireRole('operator'), identity('SEARCH'));
      router.post('/terminal/inquiries', ...guard, requireRole('operator'), identity('INQUIRY'));
      router.post(
        '/counter/juminhyo',
        ...guard,
        requireRole('operator'),
        handle(async (req, res) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const registry = endpoints().registry;
          const result = await issueJuminhyo(
            {
              requestId: requestIdOf(body['requestId']),
              operator: operatorOf(res),
              terminal: terminalOf(req),
              subjectAtenaNumber: text(body['atenaNumber'], 'atenaNumber', /^[0-9]{10}$/),
              requester: requesterOf(body['requester']),
              items: itemsOf(body['items']),
            },
            {
              registry: (atena) => counterJuminhyoData(registry, atena, REGISTRY_TIMEOUT_MS),
              records,
              publishRefusal,
              hasher: keyRing.hasher(),
              fontPath: config.certificateFont,
              lgCode: config.lgCode,
              issuer: '市区町村長',
            },
          );
          log.info(
            { requestId: result.requestId, status: result.status },
            'juminhyo request answered',
          );
          res.set('Cache-Control', 'no-store');
          if (result.status === 'ISSUED')
            res.json({
              status: result.status,
              requestId: result.requestId,
              verificationCode: result.verificationCode,
              pdfBase64: result.pdf.toString('base64'),
            });
          else res.status(403).json(result);
        }),
      );
      router.get(
        '/audit/access',
        ...guard,
        requireRole('auditor'),
        handle(async (req, res) => {
          const day = typeof req.query['day'] === 'string' ? req.query['day'] : '';
          const rows = await records.list(dayRange(day));
          res.set('Cache-Control', 'no-store').json({
            day,
            items: rows.map((row) => ({ ...row, at: row.at.toISOString() })),
          });
        }),
      );
      context.app.use('/api', router);
      return Promise.resolve({ stop: () => Promise.resolve() });
    },
  });
}
