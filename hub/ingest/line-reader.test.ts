import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitLines } from '../../connectors/runtime/file-layout.js';
import { readLines, type FileLine } from './line-reader.js';

async function linesOf(content: Buffer, max: number, chunk: number): Promise<FileLine[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-lines-'));
  try {
    const path = join(dir, 'f');
    await writeFile(path, content);
    const out: FileLine[] = [];
    for await (const line of readLines(path, max, chunk)) out.push(line);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('bounded line reader', () => {
  it('cuts lines exactly as splitLines does, across any chunk size', async () => {
    const content = Buffer.from('ab\r\n\r\ncd\n\x1a\nefg\r\n\nlast', 'latin1');
    const expected = splitLines(content).map((record) => ({
      line: record.line,
      bytes: record.bytes.toString('latin1'),
    }));
    for (const chunk of [1, 2, 3, 5, 64]) {
      const got = (await linesOf(content, 100, chunk)).map((line) => ({
        line: line.line,
        bytes: 'bytes' in line ? line.bytes.toString('latin1') : '(oversize)',
      }));
      expect(got, `chunk ${String(chunk)}`).to.deep.equal(expected);
    }
  });

  it('reports a line over the limit by number and size (without its CR), and goes on', async () => {
    const content = Buffer.from(`ok\r\n${'x'.repeat(50)}\r\n${'y'.repeat(10)}\nz`, 'latin1');
    for (const chunk of [1, 4, 7, 1024]) {
      const got = (await linesOf(content, 10, chunk)).map((line) =>
        'bytes' in line
          ? { line: line.line, text: line.bytes.toString('latin1') }
          : { line: line.line, oversize: line.oversizeBytes },
      );
      expect(got, `chunk ${String(chunk)}`).to.deep.equal([
        { line: 1, text: 'ok' },
        { line: 2, oversize: 50 },
        { line: 3, text: 'y'.repeat(10) },
        { line: 4, text: 'z' },
      ]);
    }
  });

  it('takes a line of exactly the limit, with or without a CR', async () => {
    const got = await linesOf(Buffer.from('abcd\r\nefgh\nijklm\r\n'), 4, 2);
    expect(
      got.map((line) => ('bytes' in line ? line.bytes.toString() : line.oversizeBytes)),
    ).to.deep.equal(['abcd', 'efgh', 5]);
  });
});
