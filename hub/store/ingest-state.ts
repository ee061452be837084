/**
 * What the ingest paths remember between requests and restarts: the HTTP Idempotency-Keys
 * (`hub_ingest_keys`) and the progress of dropped files (`hub_ingest_files`). Several hub replicas
 * share both tables; the primary keys decide races (the first insert wins, the others read it).
 */
import type { Store } from './types.js';

/** One Idempotency-Key as stored. */
export interface IngestKeyRow {
  system: string;
  idempotency_key: string;
  message_type: string;
  body_sha256: string;
  message_id: string;
  state: string;
}

/** The Idempotency-Keys of HTTP ingest. */
export interface IngestKeys {
  /**
   * Records a new key; when (system, key) is already there, returns the stored row instead (a
   * replica racing for the same key, or a client's retry).
   */
  claim(row: IngestKeyRow): Promise<IngestKeyRow | undefined>;
  /** Sets the state of (system, key) once its message was published or rejected. */
  settle(system: string, idempotencyKey: string, state: 'published' | 'rejected'): Promise<void>;
}

function isDuplicateKey(failure: unknown): boolean {
  const code = (failure as { code?: unknown } | null)?.code;
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT'
  );
}

/** The Idempotency-Key repository over the store. */
export function ingestKeys(store: Store): IngestKeys {
  const { knex } = store;
  return {
    async claim(row) {
      try {
        await knex('hub_ingest_keys').insert({ ...row, created_at: new Date() });
        return undefined;
      } catch (failure) {
        if (!isDuplicateKey(failure)) throw failure;
        return (await knex('hub_ingest_keys')
          .where({ system: row.system, idempotency_key: row.idempotency_key })
          .first()) as IngestKeyRow | undefined;
      }
    },
    async settle(system, idempotencyKey, state) {
      await knex('hub_ingest_keys')
        .where({ system, idempotency_key: idempotencyKey })
        .update({ state });
    },
  };
}

/** A dropped file's progress as stored. */
export interface IngestFileRow {
  file_sha256: string;
  last_line: number;
  published: number;
  dead_lettered: number;
  dead_lines: string;
  finished_at: unknown;
}

/** A file taken for the first time. */
export interface NewIngestFile {
  readonly sha256: string;
  readonly system: string;
  /** Already masked. */
  readonly fileName: string;
  readonly layout: string;
}

/** Progress after a committed batch, or at the end of a file. */
export interface IngestFileProgress {
  readonly lastLine?: number;
  readonly published?: number;
  readonly deadLines: readonly number[];
  readonly finishedAt?: Date;
}

/** The progress of dropped files, by content (SHA-256): a renamed or re-dropped copy resumes. */
export interface IngestFiles {
  /**
   * The file's progress, creating its row first when it has none (a replica that lost the race
   * reads the winner's row); undefined only if the row vanished in between.
   */
  take(file: NewIngestFile): Promise<IngestFileRow | undefined>;
  /** Records progress; `finishedAt` marks the file done. */
  record(sha256: string, progress: IngestFileProgress): Promise<void>;
}

/** The file-progress repository over the store. */
export function ingestFiles(store: Store): IngestFiles {
  const { knex } = store;
  const read = async (sha256: string) =>
    (await knex('hub_ingest_files').where({ file_sha256: sha256 }).first()) as
      IngestFileRow | undefined;
  return {
    async take(file) {
      const existing = await read(file.sha256);
      if (existing !== undefined) return existing;
      await knex('hub_ingest_files')
        .insert({
          file_sha256: file.sha256,
          system: file.system,
          file_name: file.fileName,
          layout: file.layout,
          last_line: 0,
          published: 0,
          dead_lettered: 0,
          dead_lines: '[]',
          started_at: new Date(),
          finished_at: null,
        })
        .onConflict('file_sha256')
        .ignore();
      return read(file.sha256);
    },
    async record(sha256, progress) {
      await knex('hub_ingest_files')
        .where({ file_sha256: sha256 })
        .update({
          ...(progress.finishedAt === undefined ? {} : { finished_at: progress.finishedAt }),
          ...(progress.lastLine === undefined ? {} : { last_line: progress.lastLine }),
          ...(progress.published === undefined ? {} : { published: progress.published }),
          dead_lettered: progress.deadLines.length,
          dead_lines: JSON.stringify(progress.deadLines),
        });
    },
  };
}
