import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaRegistry } from '../../schemas/registry.js';
import { writeConsistencyExtract } from '../kizon-juki/simulator.js';
import { convertExtract } from './extract.js';

describe('市町村CS extract conversion: a bad record is a reject, never a dead batch', () => {
  it('converts the good records, lists each bad one by line with a bilingual reason and no value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-extract-'));
    // Records 3, 4, 5 and 6: the four kinds of malformation in turn.
    const malformed = new Set([3, 4, 5, 6]);
    const manifest = await writeConsistencyExtract(
      join(dir, 'extract.jsonl'),
      12,
      '2026-12-03T02:00:00+09:00',
      malformed,
    );
    const converted = await convertExtract(manifest, 'message-1', {
      exchangeDir: dir,
      lgCode: '131016',
      catalogue: schemaRegistry(),
    });
    expect(converted.rejectedCount).to.equal(4);
    expect(converted.encoding).to.equal('JUKINET');
    // 8 good records of 426 bytes + CRLF.
    const file = readFileSync(fileURLToPath(converted.fileRef));
    expect(file.length).to.equal(8 * 428);
    const text = readFileSync(fileURLToPath(String(converted.rejectsFileRef)), 'utf8');
    const rejects = text
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            line: number;
            recordNo?: number;
            reason: { ja: string; en: string };
          },
      );
    expect(rejects.map((reject) => reject.line)).to.deep.equal([3, 4, 5, 6]);
    const reasons = rejects.map((reject) => reject.reason.en);
    expect(reasons.some((reason) => reason.includes('not valid JSON'))).to.equal(true);
    expect(reasons.some((reason) => reason.includes('/myNumber'))).to.equal(true);
    expect(reasons.some((reason) => reason.includes('nameKana'))).to.equal(true);
    expect(reasons.some((reason) => reason.includes('sex'))).to.equal(true);
    for (const reject of rejects)
      expect(reject.reason.ja).to.match(/[\u3040-\u30ff\u4e00-\u9fff]/u);
    expect(text).to.not.match(/[0-9]{12}|ア{3}|東京都/u);
    // A redelivery finds the finished files and answers the same manifest.
    const again = await convertExtract(manifest, 'message-1', {
      exchangeDir: dir,
      lgCode: '131016',
      catalogue: schemaRegistry(),
    });
    expect(again).to.deep.equal(converted);
  });
});
