import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/run-cli.js';
// @ts-expect-error -- plain JavaScript without types (bin/ runs without TypeScript)
import { buildRecord, sourceFingerprint } from '../../bin/sources.js';

/**
 * bin/hub.js, the `hub` command, in a scratch project outside the repository: no node_modules, so no
 * tsx. A stand-in dist/hub/cli/index.js says which code ran.
 */
describe('bin/hub.js: which code runs', () => {
  let root: string;

  function write(path: string, text: string): void {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }

  function hub(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    // not a hub process: bin/hub.js runs a stand-in dist/ that prints which code ran
    const result = spawnSync(process.execPath, ['bin/hub.js', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function build(): void {
    write(
      'dist/hub/cli/index.js',
      'export async function run(args) { console.log(`dist ${args.join(" ")}`); return 0; }\n',
    );
    write(
      `dist/${String(buildRecord)}`,
      JSON.stringify({ sources: (sourceFingerprint as (root: string) => string)(root) }),
    );
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hub-launcher-'));
    cpSync(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true });
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(repoRoot, file), join(root, file));
    }
    write('hub/cli/index.ts', 'export async function run(): Promise<number> { return 0; }\n');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('runs dist/ built from the sources beside it', () => {
    build();
    expect(hub('--version')).to.include({ code: 0, stdout: 'dist --version\n' });
  });

  it('runs dist/ when there are no sources (a deployment)', () => {
    build();
    rmSync(join(root, 'hub'), { recursive: true });
    expect(hub('start')).to.include({ code: 0, stdout: 'dist start\n' });
  });

  it('never runs a dist/ older than the sources: without tsx it exits 3 saying to build', () => {
    build();
    write('hub/cli/index.ts', 'export async function run(): Promise<number> { return 1; }\n');
    const result = hub('--version');
    expect(result.code).to.equal(3);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.include('dist/ was built from other sources');
    expect(result.stderr).to.include('npm run build');
  });

  it('exits 3 saying to build when there is neither dist/ nor tsx', () => {
    const result = hub('--version');
    expect(result.code).to.equal(3);
    expect(result.stderr).to.include('dist/ is missing');
    expect(result.stderr).to.include('npm run build を実行');
  });

  it('refuses a Node.js older than engines.node with one bilingual line and exit 2', () => {
    build();
    write('package.json', JSON.stringify({ type: 'module', engines: { node: '>=999' } }));
    const result = hub('--version');
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.include(`Node.js 999 or later is needed, this is ${process.version}`);
    expect(result.stderr).to.include('Node.js 999 以上が必要です');
  });
});
