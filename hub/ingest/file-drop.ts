/**
 * File drop: each legacy system drops exports into `<HUB_DROP_DIR>/<SYSTEM>/in`. A file is taken when
 * complete (a `<name>.done` marker, or the same size and mtime on two scans), read with the layout its
 * name starts with, published record by record, and moved to `<SYSTEM>/archive/` with a summary JSON.
 *
 * Crash safety: the file's SHA-256 keys a progress row (`hub_ingest_files`) holding the last line whose
 * record the broker confirmed. Each record's message id is a UUID v5 of (SHA-256, line), so a record
 * republished after a crash has the id of its first copy and is a duplicate downstream.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { layoutForFile } from '../../connectors/index.js';
import { codecValidationError, type FileLayout } from '../../connectors/runtime/file-layout.js';
import { TransientError, ValidationError } from '../errors.js';
import { loggerFor } from '../logger.js';
import type { DependencyStatus } from '../main.js';
import { encryptFile } from '../security/crypto.js';
import type { KeyRing } from '../security/keys.js';
import { maskText } from '../security/mask.js';
import { ingestFiles } from '../store/ingest-state.js';
import type { Store } from '../store/types.js';
import { readLines } from './line-reader.js';
import {
  defaultMaxRecordBytes,
  oversizeIssue,
  recordBytesHeader,
  type Ingest,
  type IngestMessage,
  type IngestResult,
} from './publish.js';

/** The layout a dropped file was read with, on its dead letters. */
export const fileLayoutHeader = 'x-hub-file-layout';
/** The 1-based number of the record in the file (header row and empty lines not counted). */
export const fileRecordHeader = 'x-hub-file-record';

/** Namespace of record message ids: UUID v5 of `<file sha256>:<line>`. */
export const FILE_RECORD_NAMESPACE = '3d5c1f0a-8e2b-4c7d-9f1e-6a4b2c8d0e17';

/** The message id of the record on `line` of the file with this SHA-256. */
export function fileRecordMessageId(sha256: string, line: number): string {
  return uuidv5(`${sha256}:${String(line)}`, FILE_RECORD_NAMESPACE);
}

/** Options of the file-drop watcher. */
export interface FileDropOptions {
  /** HUB_DROP_DIR. */
  readonly root: string;
  readonly pollMs: number;
  readonly ingest: Ingest;
  readonly store: Store;
  /** Records published together before their progress is committed (default 200). */
  readonly batchSize?: number;
  /**
   * Largest record (line) in bytes (HUB_INGEST_MAX_RECORD_BYTES): a longer line is dead-lettered by
   * its size and line number, never read into memory or published.
   */
  readonly maxRecordBytes?: number;
  /**
   * What happens to a file once its records are durable (issue 13 item 4): `encrypted` (default)
   * keeps it in `archive/` sealed with the key ring (`<name>.sealed`, mode 0600); `delete` removes
   * it. Without a key ring an `encrypted` archive is refused and the file is deleted instead: a
   * dropped file is never kept in the clear.
   */
  readonly archiveMode?: 'encrypted' | 'delete';
  readonly keyRing?: KeyRing;
}

/** The summary written next to an archived file. Counts and line numbers only, never content. */
export interface FileSummary {
  readonly file: string;
  readonly system: string;
  readonly sha256: string;
  readonly layout: string;
  readonly messageType: string;
  readonly records: number;
  readonly published: number;
  readonly deadLettered: number;
  readonly deadLetteredLines: readonly number[];
  readonly finishedAt: string;
  /** Set when the file as a whole could not be read (for example a wrong CSV header). */
  readonly fileError?: { readonly ja: string; readonly en: string };
}

/** A running watcher. */
export interface FileDrop {
  /** One scan of every system's folder (also what the timer runs). */
  scanOnce(): Promise<void>;
  /** Not ready while a file has failed `stuckAfter` times in a row without progress. */
  readiness(): DependencyStatus;
  stop(): Promise<void>;
}

/** Failed attempts in a row, without progress, after which a file counts as stuck (readiness). */
export const stuckAfter = 3;

/** Longest wait before a failing file is tried again. */
const maxBackoffMs = 5 * 60 * 1000;

/** Records published together are also bounded by their size. */
const maxBatchBytes = 16 * 1024 * 1024;

const log = loggerFor('ingest-file');
const systemName = /^[A-Z][A-Z0-9_]{0,31}$/;

function ignored(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('.done') ||
    name.endsWith('.tmp') ||
    name.endsWith('.part')
  );
}

/** Starts watching `root`; the first scan runs at once. */
export function startFileDrop(options: FileDropOptions): FileDrop {
  const { root, ingest } = options;
  const files = ingestFiles(options.store);
  const batchSize = options.batchSize ?? 200;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;
  // Size and mtime of files without a marker at the previous scan.
  const seen = new Map<string, string>();
  // Files whose last attempts failed: how often in a row, at which line, and when to try again.
  const failing = new Map<
    string,
    { system: string; attempts: number; lastLine: number; retryAt: number; errorType: string }
  >();
  // The line each file in progress has committed, for telling progress from a repeated failure.
  const progressOf = new Map<string, number>();
  const warned = new Set<string>();
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function systems(): Promise<string[]> {
    try {
      const entries = await readdir(root, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory() && systemName.test(entry.name))
        .map((entry) => entry.name);
    } catch {
      return [];
    }
  }

  async function ready(path: string, names: ReadonlySet<string>, name: string): Promise<boolean> {
    if (names.has(`${name}.done`)) return true;
    const info = await stat(path);
    const signature = `${String(info.size)}:${String(info.mtimeMs)}`;
    const before = seen.get(path);
    seen.set(path, signature);
    return before === signature && info.size > 0;
  }

  async function scanSystem(system: string): Promise<void> {
    const inbox = join(root, system, 'in');
    let names: string[];
    try {
      names = (await readdir(inbox, { withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
    } catch {
      return;
    }
    const present = new Set(names);
    // A failing file that is gone (taken away by an operator, archived by another replica) is no
    // longer this watcher's problem.
    for (const [path, failure] of failing) {
      if (failure.system === system && !present.has(basename(path))) {
        failing.delete(path);
        progressOf.delete(path);
      }
    }
    for (const name of names.sort()) {
      if (stopped) return;
      if (ignored(name)) continue;
      const layout = layoutForFile(name);
      if (layout?.system !== system) {
        if (!warned.has(`${system}/${name}`)) {
          warned.add(`${system}/${name}`);
          log.warn(
            { system, file: name },
            'dropped file matches no layout of this system; left in place / 様式に一致しないファイルです（そのまま残します）',
          );
        }
        continue;
      }
      const path = join(inbox, name);
      const failure = failing.get(path);
      if (failure !== undefined && Date.now() < failure.retryAt) continue;
      if (!(await ready(path, present, name))) continue;
      seen.delete(path);
      try {
        await processFile(system, name, layout, present.has(`${name}.done`));
        failing.delete(path);
        progressOf.delete(path);
      } catch (error) {
        // One file's failure is that file's: the scan goes on with the others, and the file is
        // tried again later, less and less often, instead of once per scan for ever.
        failed(system, path, error);
      }
    }
  }

  function failed(system: string, path: string, error: unknown): void {
    const lastLine = progressOf.get(path) ?? 0;
    const before = failing.get(path);
    const attempts = before?.lastLine === lastLine ? before.attempts + 1 : 1;
    const errorType = error instanceof Error ? error.name : typeof error;
    const waitMs = Math.min(maxBackoffMs, options.pollMs * 2 ** attempts);
    failing.set(path, { system, attempts, lastLine, retryAt: Date.now() + waitMs, errorType });
    const transient = error instanceof TransientError;
    const fields = { system, afterLine: lastLine, attempts, errorType, retryInMs: waitMs };
    if (transient && attempts < stuckAfter) {
      log.warn(
        fields,
        'broker unavailable; the file resumes later / ブローカー不通のため後で再開します',
      );
    } else {
      log.error(
        fields,
        'a dropped file cannot be processed; retried later / 取込ファイルを処理できません（後で再試行します）',
      );
    }
  }

  function readiness(): DependencyStatus {
    const stuck = [...failing.values()].filter((failure) => failure.attempts >= stuckAfter);
    const first = stuck[0];
    if (first === undefined) {
      return {
        name: 'file-drop',
        ok: true,
        detail: 'file drop progressing / ファイル取込は正常です',
      };
    }
    // The system and counts only: a file name can hold personal data.
    return {
      name: 'file-drop',
      ok: false,
      detail: `file drop cannot progress: ${String(stuck.length)} file(s) failed ${String(first.attempts)} times in a row (first in ${first.system}/in, ${first.errorType}); see the log / ファイル取込が進みません（${first.system}/in ほか ${String(stuck.length)} 件、${String(first.attempts)} 回連続失敗）`,
    };
  }

  async function processFile(
    system: string,
    name: string,
    layout: FileLayout,
    marker: boolean,
  ): Promise<void> {
    const path = join(root, system, 'in', name);
    const { sha256, size } = await digestOf(path);
    const progress = await files.take({
      sha256,
      system,
      fileName: maskText(name).slice(0, 255),
      layout: layout.name,
    });
    if (progress === undefined) return;
    const deadLines = JSON.parse(progress.dead_lines) as number[];
    let published = progress.published;
    let lastLine = progress.last_line;
    progressOf.set(path, lastLine);
    let fileError: FileSummary['fileError'];
    if (progress.finished_at === null || progress.finished_at === undefined) {
      log.info(
        { system, file: name, layout: layout.name, resumeAfterLine: lastLine },
        'file taken / ファイルを取り込みます',
      );
      const base = {
        messageType: layout.messageType,
        system,
        source: 'file' as const,
        fileName: name,
      };
      // The file as a whole is unreadable: one dead letter, line 1, with the whole file when it is
      // small enough to be a record (its size only otherwise).
      const wholeFileRejected = async (error: unknown): Promise<void> => {
        const invalid = codecValidationError(layout.messageType, error);
        fileError = invalid.reason;
        if (lastLine !== 0) return;
        await ingest.submit({
          ...base,
          content: size <= maxRecordBytes ? await readFile(path) : Buffer.alloc(0),
          decodeError: invalid,
          messageId: fileRecordMessageId(sha256, 0),
          line: 1,
          headers: {
            [fileLayoutHeader]: layout.name,
            ...(size <= maxRecordBytes ? {} : { [recordBytesHeader]: size }),
          },
        });
        deadLines.push(1);
      };
      const commit = async () => {
        await files.record(sha256, { lastLine, published, deadLines });
        progressOf.set(path, lastLine);
      };
      let batch: { line: number; message: IngestMessage }[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const results: IngestResult[] = await Promise.all(
          batch.map((entry) => ingest.submit(entry.message)),
        );
        for (const [index, result] of results.entries()) {
          const line = batch[index]?.line ?? 0;
          if (result.status === 'published') published += 1;
          else deadLines.push(line);
        }
        lastLine = batch[batch.length - 1]?.line ?? lastLine;
        batch = [];
        batchBytes = 0;
        await commit();
      };
      // CSV exports start with a header row, checked once against the declared columns.
      let header = layout.kind === 'csv';
      // The record's number in the file (the header row and empty lines not counted), with the
      // layout: what an operator looks up in the partner system's export, beside the line.
      let recordNumber = 0;
      const fileHeaders = (extra: Readonly<Record<string, unknown>> = {}) => ({
        ...extra,
        [fileLayoutHeader]: layout.name,
        [fileRecordHeader]: recordNumber,
      });
      for await (const record of readLines(path, maxRecordBytes)) {
        if (stopped) return;
        if (header) {
          header = false;
          try {
            if ('oversizeBytes' in record) {
              throw new ValidationError(layout.messageType, [
                oversizeIssue(record.oversizeBytes, maxRecordBytes),
              ]);
            }
            layout.records(record.bytes);
          } catch (error) {
            await wholeFileRejected(error);
            break;
          }
          continue;
        }
        recordNumber += 1;
        if (record.line <= lastLine) continue;
        const messageId = fileRecordMessageId(sha256, record.line);
        if ('oversizeBytes' in record) {
          // Refused by size, once: the dead letter names the line and the size; the record itself
          // stays in the archived file.
          batch.push({
            line: record.line,
            message: {
              ...base,
              content: Buffer.alloc(0),
              decodeError: new ValidationError(layout.messageType, [
                oversizeIssue(record.oversizeBytes, maxRecordBytes),
              ]),
              messageId,
              line: record.line,
              headers: fileHeaders({ [recordBytesHeader]: record.oversizeBytes }),
            },
          });
        } else {
          const mapped = layout.map(record);
          batch.push({
            line: record.line,
            message: {
              ...base,
              content: record.bytes,
              ...('body' in mapped ? { body: mapped.body } : { decodeError: mapped.error }),
              messageId,
              line: record.line,
              headers: fileHeaders(),
            },
          });
          batchBytes += record.bytes.length;
        }
        if (batch.length >= batchSize || batchBytes >= maxBatchBytes) await flush();
      }
      if (stopped) return;
      await flush();
      await files.record(sha256, { finishedAt: new Date(), deadLines });
    }
    const summary: FileSummary = {
      file: maskText(name),
      system,
      sha256,
      layout: layout.name,
      messageType: layout.messageType,
      records: published + deadLines.length,
      published,
      deadLettered: deadLines.length,
      deadLetteredLines: deadLines,
      finishedAt: new Date().toISOString(),
      ...(fileError === undefined ? {} : { fileError }),
    };
    await archive(system, name, sha256, summary, marker);
    log.info(
      { system, file: name, published, deadLettered: deadLines.length },
      'file archived / ファイルを保管しました',
    );
  }

  async function archive(
    system: string,
    name: string,
    sha256: string,
    summary: FileSummary,
    marker: boolean,
  ): Promise<void> {
    const archiveDir = join(root, system, 'archive');
    await mkdir(archiveDir, { recursive: true, mode: 0o700 });
    // The archived name is masked (a file name can hold a number) and made unique by the content hash.
    const shownName = maskText(name);
    let target = join(archiveDir, shownName);
    if (shownName !== name || (await exists(`${target}.summary.json`))) {
      target = join(archiveDir, `${shownName}.${sha256.slice(0, 12)}`);
    }
    await writeFile(`${target}.summary.json`, `${JSON.stringify(summary, null, 2)}\n`, {
      mode: 0o600,
    });
    const source = join(root, system, 'in', name);
    const keyRing = options.keyRing;
    if ((options.archiveMode ?? 'encrypted') === 'encrypted' && keyRing !== undefined) {
      // Sealed under the key ring with the archived name as associated data; written to a temporary
      // name first so a crash never leaves a half-written archive that looks complete.
      // Streamed: a dropped file may be hundreds of MB. The first line names the key.
      await encryptFile(
        keyRing,
        source,
        `${target}.sealed.tmp`,
        Buffer.from(`${keyRing.current.id}\n`, 'utf8'),
        Buffer.from(basename(target)),
      );
      await rename(`${target}.sealed.tmp`, `${target}.sealed`);
    }
    await rm(source, { force: true });
    if (marker) await rm(join(root, system, 'in', `${name}.done`), { force: true });
  }

  async function scanOnce(): Promise<void> {
    running ??= (async () => {
      try {
        for (const system of await systems()) await scanSystem(system);
      } catch (error) {
        log.error(
          { errorType: error instanceof Error ? error.name : typeof error },
          'file drop scan failed / ファイル取込の走査に失敗しました',
        );
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const loop = (): void => {
    if (stopped) return;
    void scanOnce().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.pollMs);
    });
  };
  loop();

  return {
    scanOnce,
    readiness,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}

/** The SHA-256 and size of a file, streamed. */
async function digestOf(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Retention for the file-drop archives (issue 13 item 4): deletes every archived file (sealed bytes
 * and summaries) of every system last written before `before`. Returns how many files went. Run by
 * `hub dlq purge --older-than …` with the dead letters' retention, so one rule covers both.
 */
export async function purgeDropArchives(root: string, before: Date): Promise<number> {
  let removed = 0;
  let systems: string[];
  try {
    systems = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return 0;
  }
  for (const system of systems) {
    const archiveDir = join(root, system, 'archive');
    let names: string[];
    try {
      names = await readdir(archiveDir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(archiveDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile() || info.mtime >= before) continue;
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
