// The password hashing thread (hub/security/passwords.ts). bcrypt is deliberately slow (≈ 0.25 s at
// cost 12); run on the main thread, a burst of wrong passwords stalled every request and every
// message. Plain JavaScript so that it runs without a TypeScript loader (a worker does not inherit
// one registered programmatically). It sees passwords only in memory and never logs anything.

import bcrypt from 'bcryptjs';
import { parentPort } from 'node:worker_threads';

/** @param {{ id: number, op: 'compare' | 'hash', password: string, hash?: string, rounds?: number }} task */
async function run(task) {
  if (task.op === 'compare') return bcrypt.compare(task.password, task.hash ?? '');
  return bcrypt.hash(task.password, task.rounds ?? 12);
}

parentPort?.on('message', (/** @type {any} */ task) => {
  run(task).then(
    (value) => parentPort?.postMessage({ id: task.id, ok: true, value }),
    (error) =>
      parentPort?.postMessage({
        id: task.id,
        ok: false,
        message: error instanceof Error ? error.message : 'password hashing failed',
      }),
  );
});
