/**
 * Hub replicas as real processes (`bin/hub.js start`), for the scale-out tests: each can be killed
 * with SIGKILL and started again. Their log goes to the suite's log file (scanned for My Numbers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './broker.js';
import { freePort } from './net.js';
import { repoRoot } from './run-cli.js';
import { logChild } from './hub-logs.js';

export interface ReplicaProcess {
  readonly id: string;
  readonly child: ChildProcess;
  readonly port: number;
  readyz(): Promise<ReplicaReadiness>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
}

export interface ReplicaReadiness {
  readonly status: string;
  readonly replica?: { id: string; host: string; flowsVersion: number };
  readonly dependencies: { name: string; ok: boolean; detail: string }[];
}

/** Starts `hub start` with `env` (HUB_* only from `env`); resolves once `/readyz` answers 200. */
export async function startReplicaProcess(
  id: string,
  env: Readonly<Record<string, string>>,
): Promise<ReplicaProcess> {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('HUB_')) base[name] = value;
  const httpPort = Number(env['HUB_HTTP_PORT'] ?? (await freePort()));
  const child = spawn(process.execPath, ['bin/hub.js', 'start'], {
    cwd: repoRoot,
    env: { ...base, HUB_REPLICA_ID: id, ...env, HUB_HTTP_PORT: String(httpPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logChild(child, `replica-${id}`);
  let tail = '';
  child.stdout.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-20_000);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  await eventually(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`replica ${id} exited before it was ready: ${tail.slice(-3000)}`);
      try {
        const response = await fetch(`http://127.0.0.1:${String(httpPort)}/readyz`);
        return response.status === 200;
      } catch {
        return false;
      }
    },
    180_000,
    `replica ${id} ready`,
  );
  return {
    id,
    child,
    port: httpPort,
    async readyz() {
      const response = await fetch(`http://127.0.0.1:${String(httpPort)}/readyz`);
      return (await response.json()) as ReplicaReadiness;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
