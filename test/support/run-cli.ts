import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
  Object.assign(env, { HUB_LOG_LEVEL: 'warn' }, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hub.js', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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
      // CLI output by default is held to the same rule as logs: it joins the suite's log, which is
      // scanned for My Numbers at the end. Only an explicit --unmask may show one.
      const logFile = process.env['HUB_TEST_LOG'];
      if (logFile !== undefined && !args.includes('--unmask')) {
        appendFileSync(logFile, `\n[hub ${args.join(' ')}]\n${stdout}\n${stderr}\n`);
      }
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
