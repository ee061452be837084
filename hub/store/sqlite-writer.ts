/**
 * A SQLite store's hot-path work on worker threads. better-sqlite3 is synchronous: on the main thread
 * every group commit stopped the event loop for its fsync (`synchronous = FULL`), and messages,
 * confirms and heartbeats waited behind it. On its own thread the commit overlaps the next batch's
 * work, and rows arriving meanwhile form the next batch (natural group commit). The claims of business
 * keys go through the same thread (hub/store/claims.ts `ThreadClaims`): a claim needs the file's
 * write lock, which the outcome writer holds through each fsync; on the main thread that wait stopped
 * the event loop as the fsync itself used to, and on a second thread the two kept meeting in SQLite's
 * busy handler, which sleeps a millisecond or more at each conflict (measured: 3.1 ms per outcome
 * batch with two threads).
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
  readonly results?: unknown;
}

interface Waiting {
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

/**
 * One thread owning one better-sqlite3 connection to `filename` (hub/store/sqlite-writer-worker.js):
 * requests are posted and answered in order; started on the first request, restarted after it died
 * (the requests pending then are rejected).
 */
export class SqliteThread {
  private readonly filename: string;
  private readonly role: string;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  constructor(filename: string, role: string) {
    this.filename = filename;
    this.role = role;
  }

  /** Posts `message` (a `type` and its data) and resolves with the thread's answer. */
  request(message: Record<string, unknown>): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error(`The SQLite ${this.role} thread is closed`));
    const worker = this.started();
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Keep the process alive while a request is pending; idle, the thread does not hold it open.
      worker.ref();
      worker.postMessage({ ...message, id });
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

  /** Ends the thread abruptly (tests: a thread that dies mid-request). */
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
      if (reply.ok) waiting.resolve(reply);
      else waiting.reject(new WriterThreadError(reply.message ?? 'request refused', reply.code));
    });
    const lost = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.waiting.size === 0) return;
      log.error(
        { pending: this.waiting.size, why, thread: this.role },
        'SQLite store thread ended with requests pending',
      );
      const error = new WriterThreadError(
        `the SQLite ${this.role} thread ended (${why})`,
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

/** Outcome batches committed on a SQLite store's thread (`synchronous = FULL`). */
export class SqliteThreadWriter implements BatchWriter {
  readonly thread: SqliteThread;

  constructor(thread: SqliteThread) {
    this.thread = thread;
  }

  async write(
    outcomes: readonly Record<string, unknown>[],
    keys: readonly Record<string, unknown>[],
  ): Promise<void> {
    await this.thread.request({ type: 'batch', outcomes, keys });
  }

  close(): Promise<void> {
    return this.thread.close();
  }

  /** Ends the thread abruptly (tests: a writer that dies mid-batch). */
  terminate(): Promise<void> {
    return this.thread.terminate();
  }
}
