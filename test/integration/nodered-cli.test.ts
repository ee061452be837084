/** `hub flows check`: the deploy's lint from the command line, on the real process. */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../support/run-cli.js';

describe('hub flows check', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hub-flows-check-'));
    cpSync(join(repoRoot, 'flows'), join(dir, 'flows'), { recursive: true });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the checked-in flows (exit 0)', async () => {
    const result = await runCli(['flows', 'check'], { env: { HUB_FLOWS_DIR: join(dir, 'flows') } });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('11 affair tab(s), 43 engine step(s)');
  });

  it('refuses a broken affair file with the reasons (exit 1)', async () => {
    const file = join(dir, 'flows', '11-affair-11.json');
    const nodes = JSON.parse(readFileSync(file, 'utf8')) as {
      type: string;
      transformer?: string;
    }[];
    const broken = nodes.map((node) =>
      node.type === 'hub-in' ? { ...node, messageTypes: 'no.such.type' } : node,
    );
    writeFileSync(file, JSON.stringify(broken));
    const result = await runCli(['flows', 'check', file], {
      env: { HUB_FLOWS_DIR: join(dir, 'flows') },
    });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.contain('unknown message type no.such.type');
    expect(result.stdout).to.contain('未登録のメッセージ種別 no.such.type');
    expect(result.stderr).to.contain('a deploy would be refused');
  });
});
