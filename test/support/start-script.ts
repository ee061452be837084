/**
 * What `npm start` runs (package.json's start script), taken apart so that tests and benchmarks run
 * the hub exactly as deployed: the environment it sets, the node flags, and the script's arguments.
 * The script is run directly rather than through npm so that a signal reaches the hub and its exit
 * code is seen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-cli.js';

export interface StartScript {
  /** `NAME=value` assignments before `node`. */
  readonly env: Readonly<Record<string, string>>;
  /** The node flags (`--…`) before the script. */
  readonly nodeFlags: readonly string[];
  /** The script and its arguments (`bin/hub.js start`). */
  readonly args: readonly string[];
}

export function startScript(): StartScript {
  const script = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts['start'];
  const words = (script ?? '').split(' ').filter(Boolean);
  const env: Record<string, string> = {};
  let at = 0;
  for (; at < words.length; at += 1) {
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(words[at] ?? '');
    if (assignment === null) break;
    env[assignment[1] ?? ''] = assignment[2] ?? '';
  }
  if (words[at] !== 'node') {
    throw new Error(`the start script does not run node: ${script ?? '(none)'}`);
  }
  at += 1;
  const nodeFlags: string[] = [];
  while (words[at]?.startsWith('--') === true) nodeFlags.push(words[at++] ?? '');
  return { env, nodeFlags, args: words.slice(at) };
}
