import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childLogEnv, logChild } from './hub-logs.js';

/** The repository root, where `node bin/hub.js` is run from. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What one run of the `hub` command did. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/hub.js ...args` as a real process, with `env` added to a clean copy of this process's
 * environment minus any HUB_* variables (so the developer's own settings never leak into a test).
 */
export function runCli(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('HUB_')) env[name] = value;
  }
  // Debug, so that every log line the command can write is written and scanned (test/support/setup.ts).
  Object.assign(env, options.env, childLogEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hub.js', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Everything the command prints joins the scanned logs; with --unmask only its log (stderr): the
    // report shows a number on purpose.
    if (args.includes('--unmask')) {
      logChild(child, `hub ${args.slice(0, 2).join(' ')} --unmask`, { only: 'stderr' });
    } else {
      logChild(child, `hub ${args.slice(0, 2).join(' ')}`);
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`hub ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60000} ms`),
      );
    }, options.timeoutMs ?? 60000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
