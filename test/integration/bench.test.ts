import { expect } from 'chai';
import { runCli } from '../support/run-cli.js';

describe('hub bench --quick (the CI smoke run of the benchmarks)', function () {
  this.timeout(180_000);

  it('runs every benchmark against its baseline and prints the ratios', async () => {
    const result = await runCli(['bench', '--quick'], { timeoutMs: 170_000 });
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('route hop');
    expect(result.stdout).to.include('hub start to ready');
    expect(result.stdout).to.match(
      /kiosk round trip .*\n {2}hub: {6}c=1 p50 .* p99 .* · c=10 p50 .* p99 /,
    );
    expect(result.stdout).to.match(
      /affair 8 bulk .*\n {2}hub: {6}10k: \d+ rec\/s, peak RSS \d+ MB/,
    );
    expect(result.stdout).to.match(/affair 9 bulk .*\n {2}hub: {6}\d+ rec\/s, peak RSS \d+ MB/);
    // A ratio line per benchmark; no timed assertion (the numbers are for docs/benchmarks.md).
    expect(result.stdout.match(/ratio: {4}\d+\.\d+×/g)).to.have.length.at.least(4);
  });
});
