import { expect } from 'chai';
import { runCli } from '../support/run-cli.js';

describe('hub simulate and hub demo (usage)', function () {
  this.timeout(60_000);

  it('refuse an unknown system or affair with exit 2 and a bilingual line', async () => {
    const simulate = await runCli(['simulate', 'no-such-system']);
    expect(simulate.code).to.equal(2);
    expect(simulate.stderr).to.include('unknown system no-such-system');
    expect(simulate.stderr).to.include('不明なシステム');
    const demo = await runCli(['demo', 'affair-99']);
    expect(demo.code).to.equal(2);
    expect(demo.stderr).to.include(
      'affair-1, affair-2, affair-3, affair-4, affair-5, affair-6, affair-8, affair-9, affair-10, affair-11',
    );
  });

  it('describe themselves in --help', async () => {
    const simulate = await runCli(['simulate', '--help']);
    expect(simulate.code).to.equal(0);
    expect(simulate.stdout).to.include('Usage: hub simulate [options] [system...]');
    const demo = await runCli(['demo', '--help']);
    expect(demo.code).to.equal(0);
    // The argument's choices, however commander wraps them.
    expect(demo.stdout.replace(/\s+/g, ' ')).to.include(
      'affair-1 | affair-2 | affair-3 | affair-4 | affair-5 | affair-6 | affair-8 | affair-9 | affair-10 | affair-11',
    );
  });
});
