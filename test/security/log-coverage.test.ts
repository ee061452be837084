/**
 * The suite's log scan (test/support/setup.ts) reads the logs of the processes it knows about. This
 * checks the other half: every place a test starts a process hands that process's output to
 * test/support/hub-logs.ts (`logChild` / `logOutput`) or says why it is not a hub process, so a hub
 * process whose log nobody reads cannot be added silently.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/run-cli.js';

const starts =
  /(?<![.\w])(?:spawn|spawnSync|execFile|execFileSync|execFileAsync|fork|exec|execSync)\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.[cm]?[jt]s$/.test(entry.name) ? [path] : [];
  });
}

describe('every process a test starts has its log read', () => {
  it('each spawn/exec/fork in test/ is followed by logChild/logOutput or marked "not a hub process"', () => {
    const unread: string[] = [];
    for (const file of sources(join(repoRoot, 'test'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (!starts.test(line) || /^\s*(?:\/\/|\*)/.test(line)) return;
        const before = lines.slice(Math.max(0, index - 3), index).join('\n');
        const after = lines.slice(index, index + 12).join('\n');
        if (before.includes('not a hub process') || /\blog(?:Child|Output)\(/.test(after)) return;
        unread.push(`${relative(repoRoot, file)}:${String(index + 1)}`);
      });
    }
    expect(unread).to.deep.equal([]);
  });
});
