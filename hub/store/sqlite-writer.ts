/**
 * Commits outcome batches of a SQLite store on a worker thread. better-sqlite3 is synchronous: on the
 * main thread every group commit stopped the event loop for its fsync (`synchronous = FULL`), and
 * messages, confirms and heartbeats waited behind it. On its own thread the commit overlaps the next
 * batch's work, and rows arriving meanwhile form the next batch (natural group commit).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { loggerFor } from '../logger.js';

const log = loggerFor('store');

/** Writes one batch durably (one transaction) or rejects with the driver's code and message. */
export interface BatchWriter {
  write(
    outcomes: readonly Record<string, unknown>[],
    keys: readonly Record<string, unknown>[],
  ): Promise<void>;
  close(): Promise<void>;
}

/** A batch the writer thread refused; carries the driver's code like a knex error would. */
export class WriterThreadError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'WriterThreadError';
    this.code = code;
  }
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
}

interface Waiting {
  resolve(): void;
  reject(error: unknown): void;
}

/** The writer thread for the SQLite file `filename`; started on the first batch, restarted if it dies. */
export class SqliteThreadWriter implements BatchWriter {
  private readonly filename: string;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  constructor(filename: string) {
    this.filename = filename;
  }

  write(
    outcomes: readonly Record<string, unknown>[],
    keys: readonly Record<string, unknown>[],
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The SQLite writer thread is closed'));
    const worker = this.started();
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Keep the process alive while a commit is pending; idle, the thread does not hold it open.
      worker.ref();
      worker.postMessage({ type: 'batch', id, outcomes, keys });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'close' });
    await exited;
  }

  /** Ends the thread abruptly (tests: a writer that dies mid-batch). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./sqlite-writer-worker.js', import.meta.url), {
      workerData: { filename: this.filename },
      // Plain JavaScript: no TypeScript loader needed, so none is inherited (faster start).
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (waiting === undefined) return;
      if (reply.ok) waiting.resolve();
      else waiting.reject(new WriterThreadError(reply.message ?? 'batch refused', reply.code));
    });
    const lost = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.waiting.size === 0) return;
      log.error(
        { pending: this.waiting.size, why },
        'SQLite writer thread ended with batches pending',
      );
      const error = new WriterThreadError(
        `the SQLite writer thread ended (${why})`,
        'HUB_WRITER_LOST',
      );
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    worker.on('error', (error: Error) => {
      lost(error.message);
    });
    worker.on('exit', (code) => {
      lost(`exit code ${String(code)}`);
    });
    this.worker = worker;
    return worker;
  }
}
