/**
 * 法務省情報連携端末 ingress (seed 4-①②): the terminal's 法務省通知 files, taken from
 * `<exchange>/moj-terminal/inbound/` once complete (`.done` marker).
 *
 * - A file is checked whole first (header, every `D` record against the catalogue, counts in header
 *   and trailer). One bad record rejects the whole file: nothing of it is applied, its bytes become one
 *   dead letter whose reason lists the line numbers, and the file moves to `rejected/` with a
 *   `.errors.txt` for the terminal's operator.
 * - A good file's notices are held in the store, sealed, keyed by sequence number (a number already
 *   taken is a duplicate; the same number with other content is a conflict and a dead letter), then
 *   released strictly in the MOJ's sequence order: only the run that continues the last released number
 *   leaves. A missing number holds the later ones; once it has been missing for
 *   `HUB_MOJ_GAP_ALERT_MS` one replica claims the alert and publishes `moj.notice.sequence-gap`.
 * - Everything lives in the store and the broker: replicas scan the same folder, claims are atomic,
 *   and a restart resumes from the committed state (a notice published but not yet marked released
 *   is published again with the same message id, which the routes take once).
 * - A receipt per file (`receipts/<file>.json`: accepted, duplicates, conflicts) tells the terminal
 *   what was taken.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import type { Publisher } from '../../hub/broker/index.js';
import { HubError } from '../../hub/errors.js';
import { publishDeadLetter } from '../../hub/ingest/dead-letter.js';
import { loggerFor } from '../../hub/logger.js';
import { definePlugin } from '../../hub/plugin.js';
import { decrypt, encrypt } from '../../hub/security/crypto.js';
import type { KeyRing } from '../../hub/security/keys.js';
import { mojSequence, type HeldNotice } from '../../hub/store/moj-sequence.js';
import type { Store } from '../../hub/store/types.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import type { MojNoticeReceived } from '../../schemas/types.gen.js';
import { CodecError } from '../codec/errors.js';
import { splitLines } from '../runtime/file-layout.js';
import { MARKER_SUFFIX, isComplete } from '../runtime/files.js';
import { createIngress, type Ingress } from '../runtime/ingress.js';
import { mojHeaderLayout, mojNoticeBody, mojNoticeLayout, mojTrailerLayout } from './codec.js';
import { mojTerminalDescriptor } from './descriptor.js';

const MOJ_TERMINAL = mojTerminalDescriptor.system;
const NAMESPACE = '5d0b6b0e-4f2e-4f57-9a43-0c6c1f3b8e21';
/** How often each replica looks for files, releases held notices and checks the gap clock. */
export const MOJ_POLL_MS = 250;

/** The terminal's folders under the exchange folder. */
export function mojFolders(exchangeDir: string) {
  const root = join(exchangeDir, 'moj-terminal');
  return {
    inbound: join(root, 'inbound'),
    processed: join(root, 'processed'),
    rejected: join(root, 'rejected'),
    receipts: join(root, 'receipts'),
    outbound: join(root, 'outbound'),
  };
}

/** One problem of a rejected file: the 1-based line and what is wrong there (paths, never values). */
export interface FileProblem {
  readonly line: number;
  readonly what: string;
}

/** A 法務省通知 file that is rejected whole. */
export class MojFileRejectedError extends HubError {
  readonly problems: readonly FileProblem[];
  constructor(problems: readonly FileProblem[]) {
    const list = problems
      .slice(0, 20)
      .map((problem) => `line ${String(problem.line)}: ${problem.what}`)
      .join('; ');
    const listJa = problems
      .slice(0, 20)
      .map((problem) => `${String(problem.line)}行目: ${problem.what}`)
      .join('; ');
    super('HUB_MOJ_FILE_REJECTED', `法務省通知 file rejected: ${list}`, 'dead-letter', {
      reasonClass: 'validation',
      reason: {
        ja: `法務省通知ファイルを全件受け付けません（${String(problems.length)}件の誤り）: ${listJa}`,
        en: `The 法務省通知 file is rejected whole (${String(problems.length)} problems): ${list}`,
      },
    });
    this.problems = problems;
  }
}

/** Two notices with one sequence number and different content. */
export class MojSequenceConflictError extends HubError {
  constructor(seq: number) {
    super('HUB_MOJ_SEQUENCE_CONFLICT', `sequence ${String(seq)} already taken`, 'dead-letter', {
      reasonClass: 'validation',
      reason: {
        ja: `通知連番 ${String(seq)} は内容の異なる通知で受信済みです。法務省に確認してください`,
        en: `Sequence number ${String(seq)} was already taken by a notice with other content; check with MOJ`,
      },
    });
  }
}

/** What the check of a file found. */
type Parsed =
  | { readonly ok: true; readonly notices: { line: number; body: MojNoticeReceived }[] }
  | { readonly ok: false; readonly problems: FileProblem[] };

function describe(error: unknown): string {
  if (error instanceof CodecError) return `/${error.location.field ?? ''} codec`;
  return 'record cannot be decoded';
}

/** Checks a whole 法務省通知 file; pure apart from the catalogue. */
export function parseMojFile(bytes: Buffer, lgCode: string, catalogue: SchemaRegistry): Parsed {
  const lines = splitLines(bytes);
  const problems: FileProblem[] = [];
  const notices: { line: number; body: MojNoticeReceived }[] = [];
  const first = lines[0];
  const last = lines.length > 1 ? lines[lines.length - 1] : undefined;
  let declared: number | undefined;
  let trailerCount: number | undefined;
  if (first?.bytes.length !== mojHeaderLayout.recordLength || first.bytes[0] !== 0x48) {
    problems.push({ line: first?.line ?? 1, what: 'header record (H) expected' });
  } else {
    try {
      declared = Number(mojHeaderLayout.decode(first.bytes).count);
    } catch (error) {
      problems.push({ line: first.line, what: describe(error) });
    }
  }
  if (last?.bytes.length !== mojTrailerLayout.recordLength || last.bytes[0] !== 0x54) {
    problems.push({ line: last?.line ?? lines.length + 1, what: 'trailer record (T) expected' });
  } else {
    try {
      trailerCount = Number(mojTrailerLayout.decode(last.bytes).count);
    } catch (error) {
      problems.push({ line: last.line, what: describe(error) });
    }
  }
  for (const record of lines.slice(1, -1)) {
    if (record.bytes.length !== mojNoticeLayout.recordLength || record.bytes[0] !== 0x44) {
      problems.push({
        line: record.line,
        what: `notice record (D) of ${String(mojNoticeLayout.recordLength)} bytes expected, got ${String(record.bytes.length)}`,
      });
      continue;
    }
    let body: unknown;
    try {
      body = mojNoticeBody(record.bytes, lgCode);
    } catch (error) {
      problems.push({ line: record.line, what: describe(error) });
      continue;
    }
    const { issues } = catalogue.validate('moj.notice.received', body);
    for (const issue of issues)
      problems.push({ line: record.line, what: `${issue.path || '/'} ${issue.keyword}` });
    if (issues.length === 0) notices.push({ line: record.line, body: body as MojNoticeReceived });
  }
  const count = Math.max(0, lines.length - 2);
  if (declared !== undefined && declared !== count)
    problems.push({
      line: first?.line ?? 1,
      what: `header count ${String(declared)} ≠ ${String(count)} records`,
    });
  if (trailerCount !== undefined && trailerCount !== count)
    problems.push({
      line: last?.line ?? 1,
      what: `trailer count ${String(trailerCount)} ≠ ${String(count)} records`,
    });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, notices };
}

/** What the inbound side needs. */
export interface MojInboundDeps {
  readonly lgCode: string;
  readonly gapAlertMs: number;
  readonly exchangeDir: string;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly catalogue: SchemaRegistry;
  readonly publisher: () => Publisher;
  /** The first sequence number of a stream the store has never seen (default 1). */
  readonly firstSequenceNo?: number;
  readonly pollMs?: number;
}

/** The inbound side of the terminal connector. */
export interface MojInbound {
  /** One pass: take complete files, release what continues the sequence, check the gap clock. */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the inbound side (call `start()`, or `tick()` from a test). */
export function createMojInbound(deps: MojInboundDeps): MojInbound {
  const log = loggerFor('moj-terminal');
  const folders = mojFolders(deps.exchangeDir);
  const sequence = mojSequence(deps.store);
  const ingress: Ingress = createIngress(deps.publisher, deps.catalogue);
  const stream = deps.lgCode;
  const aad = (seq: number) => Buffer.from(`moj:${stream}:${String(seq)}`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function publishNotice(notice: HeldNotice): Promise<void> {
    const body = JSON.parse(
      decrypt(
        deps.keyRing,
        notice.keyId,
        Buffer.from(notice.sealed, 'base64'),
        aad(notice.seq),
      ).toString('utf8'),
    ) as unknown;
    await ingress.publish(MOJ_TERMINAL, 'moj.notice.received', body, {
      eventKey: `seq:${stream}:${String(notice.seq)}`,
    });
  }

  async function releaseAll(): Promise<void> {
    for (;;) {
      const released = await sequence.release(stream, 200, publishNotice, new Date());
      if (released === 0) return;
    }
  }

  async function moveAway(path: string, folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    await rename(path, join(folder, basename(path))).catch(() => undefined);
    await rm(`${path}${MARKER_SUFFIX}`, { force: true });
  }

  async function takeFile(path: string): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return; // another replica moved it
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const name = basename(path);
    const parsed = parseMojFile(bytes, deps.lgCode, deps.catalogue);
    if (!parsed.ok) {
      const error = new MojFileRejectedError(parsed.problems);
      await publishDeadLetter(deps.publisher(), {
        messageType: 'moj.notice.received',
        messageId: uuidv5(`file:${sha256}`, NAMESPACE),
        system: MOJ_TERMINAL,
        source: 'file',
        content: bytes,
        error,
        fileName: name,
        line: parsed.problems[0]?.line,
      });
      await mkdir(folders.rejected, { recursive: true });
      await writeFile(
        join(folders.rejected, `${name}.errors.txt`),
        parsed.problems.map((p) => `${String(p.line)}\t${p.what}\n`).join(''),
      );
      await moveAway(path, folders.rejected);
      log.warn(
        {
          file: sha256.slice(0, 16),
          problems: parsed.problems.length,
          firstLine: parsed.problems[0]?.line,
        },
        'MOJ notice file rejected whole / 法務省通知ファイルを差し戻しました',
      );
      return;
    }
    const keyed = parsed.notices.map(({ body }): HeldNotice => {
      const plain = Buffer.from(JSON.stringify(body), 'utf8');
      const sealed = encrypt(deps.keyRing, plain, aad(body.sequenceNo));
      return {
        seq: body.sequenceNo,
        sha256: createHash('sha256').update(plain).digest('hex'),
        keyId: sealed.keyId,
        sealed: sealed.ciphertext.toString('base64'),
      };
    });
    const result = await sequence.hold(stream, keyed, deps.firstSequenceNo ?? 1, new Date());
    for (const seq of result.conflicts) {
      const notice = parsed.notices.find(({ body }) => body.sequenceNo === seq);
      await publishDeadLetter(deps.publisher(), {
        messageType: 'moj.notice.received',
        messageId: uuidv5(`conflict:${sha256}:${String(seq)}`, NAMESPACE),
        system: MOJ_TERMINAL,
        source: 'file',
        content: Buffer.from(JSON.stringify(notice?.body ?? {}), 'utf8'),
        error: new MojSequenceConflictError(seq),
        fileName: name,
        line: notice?.line,
      });
    }
    await mkdir(folders.receipts, { recursive: true });
    await writeFile(
      join(folders.receipts, `${name}.json`),
      JSON.stringify({
        file: name,
        sha256,
        accepted: result.held.length,
        duplicates: result.duplicates,
        conflicts: result.conflicts,
      }),
    );
    await moveAway(path, folders.processed);
    log.info(
      {
        file: sha256.slice(0, 16),
        accepted: result.held.length,
        duplicates: result.duplicates.length,
        conflicts: result.conflicts.length,
      },
      'MOJ notice file taken / 法務省通知ファイルを受信しました',
    );
  }

  async function checkGap(): Promise<void> {
    const alert = await sequence.claimGapAlert(stream, deps.gapAlertMs, new Date());
    if (alert === undefined) return;
    try {
      await ingress.publish(
        MOJ_TERMINAL,
        'moj.notice.sequence-gap',
        {
          lgCode: deps.lgCode,
          missingSequenceNo: alert.missingSeq,
          firstHeldSequenceNo: alert.firstHeldSeq,
          heldCount: alert.heldCount,
          missingSince: alert.since.toISOString(),
          raisedAt: new Date().toISOString(),
        },
        { eventKey: `gap:${stream}:${String(alert.missingSeq)}:${alert.since.toISOString()}` },
      );
      log.warn(
        { missingSequenceNo: alert.missingSeq, heldCount: alert.heldCount },
        'MOJ notice sequence gap / 法務省通知の連番が欠落しています',
      );
    } catch (error) {
      await sequence.unclaimGapAlert(stream);
      throw error;
    }
  }

  async function pass(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(folders.inbound)).filter((n) => !n.endsWith(MARKER_SUFFIX)).sort();
    } catch {
      names = [];
    }
    for (const name of names) {
      const path = join(folders.inbound, name);
      if (await isComplete(path)) await takeFile(path);
    }
    await releaseAll();
    await checkGap();
  }

  const tick = (): Promise<void> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    tick,
    start() {
      timer = setInterval(() => {
        tick().catch((error: unknown) => {
          log.warn(
            {
              error: error instanceof Error ? error.name : 'error',
              // The driver's code (SQLITE_BUSY, ER_LOCK_DEADLOCK, …): no value, and what to look for.
              code:
                typeof error === 'object' && error !== null && 'code' in error
                  ? String(error.code)
                  : undefined,
            },
            'MOJ terminal pass failed',
          );
        });
      }, deps.pollMs ?? MOJ_POLL_MS);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** The plugin that runs the inbound side in every hub replica. */
export const mojTerminalPlugin = definePlugin({
  name: 'moj-terminal',
  needs: ['config', 'store', 'broker', 'catalogue', 'keyRing'],
  start(context) {
    const inbound = createMojInbound({
      lgCode: context.config.lgCode,
      gapAlertMs: context.config.mojGapAlertMs,
      exchangeDir: join(context.config.dataDir, 'exchange'),
      store: context.store,
      keyRing: context.keyRing,
      catalogue: context.catalogue,
      publisher: () => context.broker.publisher,
    });
    inbound.start();
    return Promise.resolve({ stop: () => inbound.stop() });
  },
});
