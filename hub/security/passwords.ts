/**
 * Password hashing off the main thread. bcrypt costs ≈ 0.25 s of CPU per check at cost 12; on the
 * event loop, 16 parallel wrong-password loops held /healthz at 4 s and slowed message delivery
 * tenfold. Here every check runs on a small pool of worker threads (hub/security/password-worker.js),
 * so the event loop only posts a message and waits. The queue in front of the pool is bounded: when
 * it is full the caller gets `PasswordQueueFullError` at once (the HTTP layer answers 429) instead of
 * a growing backlog of slow checks.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Checks and creates password hashes (bcrypt). */
export interface PasswordHasher {
  compare(password: string, hash: string): Promise<boolean>;
  hash(password: string, rounds: number): Promise<string>;
}

/** The hashing queue is full: the caller should answer "try again later", never wait. */
export class PasswordQueueFullError extends Error {
  constructor() {
    super('password checks are queued to the limit / パスワード確認が混雑しています');
    this.name = 'PasswordQueueFullError';
  }
}

interface Task {
  readonly id: number;
  readonly op: 'compare' | 'hash';
  readonly password: string;
  readonly hash?: string;
  readonly rounds?: number;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly message?: string;
}

interface Pending {
  readonly task: Task;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Options of a pool. */
export interface PasswordPoolOptions {
  /** Threads (default: one less than the cores, at least 1, at most 4). */
  readonly threads?: number;
  /**
   * Checks waiting for a thread before new ones are refused (default 8 per thread: at ≈ 0.25 s a
   * check, a few seconds of waiting at most; a longer queue only makes every sign-in slow).
   */
  readonly maxQueued?: number;
}

/** A pool of hashing threads. Idle threads do not keep the process alive (the CLI exits normally). */
export class PasswordPool implements PasswordHasher {
  private readonly threads: number;
  private readonly maxQueued: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: PasswordPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism() - 1));
    this.maxQueued = options.maxQueued ?? 8 * this.threads;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run({ id: this.nextId++, op: 'compare', password, hash }).then(Boolean);
  }

  hash(password: string, rounds: number): Promise<string> {
    return this.run({ id: this.nextId++, op: 'hash', password, rounds }).then(String);
  }

  /** Checks waiting or running (for tests and metrics). */
  get load(): number {
    return this.queue.length + this.busy.size;
  }

  /** Ends the threads; pending checks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the password pool is closed');
    for (const pending of this.queue.splice(0)) pending.reject(error);
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const pending of this.busy.values()) pending.reject(error);
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private run(task: Task): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the password pool is closed'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { task, resolve, reject };
      const worker = this.idle.pop() ?? this.spawn();
      if (worker !== undefined) {
        this.dispatch(worker, pending);
        return;
      }
      if (this.queue.length >= this.maxQueued) {
        reject(new PasswordQueueFullError());
        return;
      }
      this.queue.push(pending);
    });
  }

  private dispatch(worker: Worker, pending: Pending): void {
    this.busy.set(worker, pending);
    // Keep the process alive while a check is pending; idle, the thread does not hold it open.
    worker.ref();
    worker.postMessage(pending.task);
  }

  private spawn(): Worker | undefined {
    if (this.started >= this.threads) return undefined;
    this.started += 1;
    const worker = new Worker(new URL('./password-worker.js', import.meta.url), {
      // Plain JavaScript: no TypeScript loader needed, so none is inherited (faster start).
      execArgv: [],
    });
    worker.on('message', (reply: Reply) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      if (pending?.task.id === reply.id) {
        if (reply.ok) pending.resolve(reply.value);
        else pending.reject(new Error(reply.message ?? 'password hashing failed'));
      }
      this.release(worker);
    });
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      this.started -= 1;
      pending?.reject(new Error(`the password thread ended (${why})`));
      // Someone waiting gets a new thread.
      const next = this.closed ? undefined : this.queue.shift();
      if (next !== undefined) {
        const replacement = this.spawn();
        if (replacement !== undefined) this.dispatch(replacement, next);
        else this.queue.unshift(next);
      }
    };
    worker.on('error', (error: unknown) => {
      lost(error instanceof Error ? error.name : 'error');
    });
    worker.on('exit', (code) => {
      if (!this.closed) lost(`exit code ${String(code)}`);
    });
    return worker;
  }

  private release(worker: Worker): void {
    const next = this.queue.shift();
    if (next !== undefined) {
      this.dispatch(worker, next);
      return;
    }
    worker.unref();
    this.idle.push(worker);
  }
}

let shared: PasswordPool | undefined;

/** The process's pool (threads start on first use). */
export function sharedPasswordPool(): PasswordPool {
  shared ??= new PasswordPool();
  return shared;
}
