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
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { encrypt } from '../security/crypto.js';
import type { KeyRing } from '../security/keys.js';
import { maskText } from '../security/mask.js';
import { basename, join } from 'node:path';
import type { Knex } from 'knex';
import { v5 as uuidv5 } from 'uuid';
import { TransientError } from '../errors.js';
import { loggerFor } from '../logger.js';
import { codecValidationError, layoutForFile, type FileLayout } from './layouts.js';
import type { Ingest } from './publish.js';

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
  readonly knex: Knex;
  /** Records published together before their progress is committed (default 200). */
  readonly batchSize?: number;
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
  stop(): Promise<void>;
}

interface ProgressRow {
  file_sha256: string;
  last_line: number;
  published: number;
  dead_lettered: number;
  dead_lines: string;
  finished_at: unknown;
}

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
  const { root, ingest, knex } = options;
  const batchSize = options.batchSize ?? 200;
  // Size and mtime of files without a marker at the previous scan.
  const seen = new Map<string, string>();
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
      if (!(await ready(path, present, name))) continue;
      seen.delete(path);
      await processFile(system, name, layout, present.has(`${name}.done`));
    }
  }

  async function processFile(
    system: string,
    name: string,
    layout: FileLayout,
    marker: boolean,
  ): Promise<void> {
    const path = join(root, system, 'in', name);
    const bytes = await readFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let progress = (await knex('hub_ingest_files').where({ file_sha256: sha256 }).first()) as
      ProgressRow | undefined;
    if (progress === undefined) {
      await knex('hub_ingest_files')
        .insert({
          file_sha256: sha256,
          system,
          file_name: maskText(name).slice(0, 255),
          layout: layout.name,
          last_line: 0,
          published: 0,
          dead_lettered: 0,
          dead_lines: '[]',
          started_at: new Date(),
          finished_at: null,
        })
        .onConflict('file_sha256')
        .ignore();
      progress = (await knex('hub_ingest_files').where({ file_sha256: sha256 }).first()) as
        ProgressRow | undefined;
      if (progress === undefined) return;
    }
    const deadLines = JSON.parse(progress.dead_lines) as number[];
    let published = progress.published;
    let lastLine = progress.last_line;
    let fileError: FileSummary['fileError'];
    let records: ReturnType<FileLayout['records']> = [];
    if (progress.finished_at === null || progress.finished_at === undefined) {
      log.info(
        { system, file: name, layout: layout.name, resumeAfterLine: lastLine },
        'file taken / ファイルを取り込みます',
      );
      try {
        records = layout.records(bytes);
      } catch (error) {
        // The file as a whole is unreadable: one dead letter with the whole file, line 1.
        const invalid = codecValidationError(layout.messageType, error);
        fileError = invalid.reason;
        if (lastLine === 0) {
          await ingest.submit({
            messageType: layout.messageType,
            content: bytes,
            decodeError: invalid,
            messageId: fileRecordMessageId(sha256, 0),
            system,
            source: 'file',
            fileName: name,
            line: 1,
          });
          deadLines.push(1);
        }
      }
      const pending = records.filter((record) => record.line > lastLine);
      for (let start = 0; start < pending.length; start += batchSize) {
        if (stopped) return;
        const batch = pending.slice(start, start + batchSize);
        let results;
        try {
          results = await Promise.all(
            batch.map((record) => {
              const mapped = layout.map(record);
              return ingest.submit({
                messageType: layout.messageType,
                content: record.bytes,
                ...('body' in mapped ? { body: mapped.body } : { decodeError: mapped.error }),
                messageId: fileRecordMessageId(sha256, record.line),
                system,
                source: 'file',
                fileName: name,
                line: record.line,
              });
            }),
          );
        } catch (error) {
          if (error instanceof TransientError) {
            log.warn(
              { system, file: name, afterLine: lastLine },
              'broker unavailable; the file resumes at the next scan / ブローカー不通のため次回再開します',
            );
            return;
          }
          throw error;
        }
        for (const [index, result] of results.entries()) {
          const line = batch[index]?.line ?? 0;
          if (result.status === 'published') published += 1;
          else deadLines.push(line);
        }
        lastLine = batch[batch.length - 1]?.line ?? lastLine;
        await knex('hub_ingest_files')
          .where({ file_sha256: sha256 })
          .update({
            last_line: lastLine,
            published,
            dead_lettered: deadLines.length,
            dead_lines: JSON.stringify(deadLines),
          });
      }
      await knex('hub_ingest_files')
        .where({ file_sha256: sha256 })
        .update({
          finished_at: new Date(),
          dead_lettered: deadLines.length,
          dead_lines: JSON.stringify(deadLines),
        });
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
      const sealed = encrypt(keyRing, await readFile(source), Buffer.from(basename(target)));
      const header = Buffer.from(`${sealed.keyId}\n`, 'utf8');
      await writeFile(`${target}.sealed.tmp`, Buffer.concat([header, sealed.ciphertext]), {
        mode: 0o600,
      });
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
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
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
