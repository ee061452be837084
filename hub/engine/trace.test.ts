import { expect } from 'chai';
import { childTraceparent, traceIdOf } from './trace.js';

describe('traceparent', () => {
  it('keeps the incoming trace and flags, with a new span id each hop', () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const first = childTraceparent(incoming);
    const second = childTraceparent(incoming);
    expect(traceIdOf(first)).to.equal('0af7651916cd43dd8448eb211c80319c');
    expect(first).to.match(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(first).not.to.equal(second);
  });

  it('starts a trace when there is none, and span ids do not repeat across pool refills', () => {
    const spans = new Set<string>();
    for (let index = 0; index < 2_000; index += 1) {
      const value = childTraceparent(undefined);
      expect(value).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      spans.add(value.slice(36, 52));
    }
    expect(spans.size).to.equal(2_000);
  });
});
