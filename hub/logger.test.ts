import { expect } from 'chai';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { createRoot } from './logger.js';

/** One line logged through a root logger made as the hub makes it, parsed. */
async function oneLine(): Promise<Record<string, unknown>> {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const log = createRoot('info', out);
  log.child({ component: 'test' }).info('a line');
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(lines, 'one line written').to.have.length(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('logger: which replica wrote a line', () => {
  const saved = process.env['HUB_REPLICA_ID'];
  afterEach(() => {
    if (saved === undefined) delete process.env['HUB_REPLICA_ID'];
    else process.env['HUB_REPLICA_ID'] = saved;
  });

  it('carries the hostname, the pid and by default the replica id <hostname>-<pid>', async () => {
    delete process.env['HUB_REPLICA_ID'];
    const line = await oneLine();
    expect(line).to.include({
      service: 'hub',
      component: 'test',
      hostname: hostname(),
      pid: process.pid,
      replica: `${hostname()}-${String(process.pid)}`,
    });
  });

  it('takes the replica id from HUB_REPLICA_ID, keeping hostname and pid', async () => {
    process.env['HUB_REPLICA_ID'] = ' hub-b ';
    const line = await oneLine();
    expect(line).to.include({ hostname: hostname(), pid: process.pid, replica: 'hub-b' });
  });

  it('falls back to <hostname>-<pid> for an empty HUB_REPLICA_ID', async () => {
    process.env['HUB_REPLICA_ID'] = '';
    expect((await oneLine())['replica']).to.equal(`${hostname()}-${String(process.pid)}`);
  });
});
