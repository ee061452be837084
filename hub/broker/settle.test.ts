import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Source files of the hub and its connectors (not tests, not the broker layer's own internals). */
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.[cm]?[jt]s$/.test(name) && !/\.test\.[cm]?[jt]s$/.test(name)) found.push(path);
  }
  return found;
}

describe('settlement happens in one place', () => {
  it('no module outside hub/broker/ acks or nacks a delivery (they return a Settlement to settle())', () => {
    const offenders: string[] = [];
    for (const top of ['hub', 'connectors', 'bin']) {
      for (const file of sources(join(root, top))) {
        const path = relative(root, file).split('\\').join('/');
        if (path.startsWith('hub/broker/')) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (/\.n?ack\s*\(/.test(line)) offenders.push(`${path}:${String(index + 1)}`);
          });
      }
    }
    expect(offenders, 'settle through hub/broker/settle.ts').to.deep.equal([]);
  });
});
