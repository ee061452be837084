/**
 * The generated leak corpus (test/support/leak-corpus.ts) against the hub's gate and masker. The
 * oracle is the tests' own detector (test/support/my-number-scan.ts): it confirms that each case
 * really holds a My Number, and it reads what the hub's logger wrote. Nothing here is asserted with
 * hub/security's own detector.
 */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createRoot } from '../../hub/logger.js';
import { maskValue } from '../../hub/security/mask.js';
import { findMyNumbersInMessage } from '../../hub/security/message-policy.js';
import { leakCorpus, lookAlikeCorpus, type LeakCase } from '../support/leak-corpus.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';

/** Everything of a case as text, as it would travel (JSON for structures). */
function textOf(leak: LeakCase): string {
  return JSON.stringify([leak.body, leak.properties, leak.headers, leak.routingKey, leak.fileName]);
}

/** Logs `value` through the hub's real logger (debug, masking formatters) and returns the lines. */
function logged(entries: readonly { object: Record<string, unknown>; message: string }[]): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  const log = createRoot('debug', sink);
  for (const entry of entries) log.debug(entry.object, entry.message);
  log.flush();
  return out;
}

describe('leak corpus: generated forms of a My Number against the gate and the masker', function () {
  const corpus = leakCorpus(3);
  const lookAlikes = lookAlikeCorpus(3);

  it(`is a corpus of real numbers: the tests' own detector finds the number in each of ${String(corpus.length)} cases`, () => {
    const missed = corpus.filter((leak) => {
      const text = leak.split === undefined ? textOf(leak) : leak.split.join('');
      return !validMyNumbersIn(text).includes(leak.number);
    });
    expect(missed.map((leak) => leak.label)).to.deep.equal([]);
    const found = lookAlikes.filter(
      (item) => validMyNumbersIn(JSON.stringify(item.body)).length > 0,
    );
    expect(found.map((item) => item.label)).to.deep.equal([]);
  });

  it('the whole-message gate finds every case (body, keys, numbers, split fields, properties, headers, routing key, file name)', () => {
    const passed = corpus.filter(
      (leak) =>
        findMyNumbersInMessage({
          body: leak.body,
          properties: leak.properties,
          headers: leak.headers,
          routingKey: leak.routingKey,
          fileName: leak.fileName,
        }).length === 0,
    );
    expect(passed.map((leak) => leak.label)).to.deep.equal([]);
  });

  it('the gate passes every look-alike (wrong check digits, codes, dates, ids)', () => {
    const flagged = lookAlikes.filter(
      (item) => findMyNumbersInMessage({ body: item.body }).length > 0,
    );
    expect(flagged.map((item) => item.label)).to.deep.equal([]);
  });

  it("the hub's logger writes none of them, at debug, in fields, keys or messages", () => {
    const out = logged(
      corpus.map((leak) => ({
        object: {
          body: leak.body,
          properties: leak.properties,
          headers: leak.headers,
          routingKey: leak.routingKey,
          fileName: leak.fileName,
        },
        message: `case ${textOf(leak)}`,
      })),
    );
    expect(out.split('\n').filter((line) => line !== '')).to.have.length(corpus.length);
    const lines = out.split('\n');
    const leaked = corpus.filter((leak, index) => {
      const line = lines[index] ?? '';
      if (validMyNumbersIn(line).length > 0) return true;
      // Split fields: no part of the number may be logged as the value it was.
      return (leak.split ?? []).some((part) => line.includes(`"${part}"`));
    });
    expect(leaked.map((leak) => leak.label)).to.deep.equal([]);
  });

  it('the masker leaves look-alikes as they are', () => {
    const changed = lookAlikes.filter(
      (item) => JSON.stringify(maskValue(item.body)) !== JSON.stringify(item.body),
    );
    expect(changed.map((item) => item.label)).to.deep.equal([]);
  });
});
