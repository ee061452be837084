import { expect } from 'chai';
import { constantTimeEqual, createKeyedHasher } from './keyed-hash.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

describe('keyed hash', () => {
  it('is stable for the same key, purpose and value', () => {
    const first = createKeyedHasher(keyA).hash('subject', '123456789018');
    const second = createKeyedHasher(Buffer.from(keyA)).hash('subject', '123456789018');
    expect(first).to.equal(second);
    expect(first).to.match(/^[A-Za-z0-9_-]{43}$/);
  });

  it('depends on the key', () => {
    const value = '123456789018';
    expect(createKeyedHasher(keyA).hash('subject', value)).not.to.equal(
      createKeyedHasher(keyB).hash('subject', value),
    );
  });

  it('separates purposes, including ambiguous concatenations', () => {
    const hasher = createKeyedHasher(keyA);
    expect(hasher.hash('subject', '1')).not.to.equal(hasher.hash('dedup', '1'));
    expect(hasher.hash('ab', 'c')).not.to.equal(hasher.hash('a', 'bc'));
  });

  it('refuses short keys and odd purposes', () => {
    expect(() => createKeyedHasher(Buffer.alloc(16))).to.throw(RangeError);
    expect(() => createKeyedHasher(keyA).hash('', 'x')).to.throw(RangeError);
    expect(() => createKeyedHasher(keyA).hash('Subject!', 'x')).to.throw(RangeError);
  });

  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).to.equal(true);
    expect(constantTimeEqual('abc', 'abd')).to.equal(false);
    expect(constantTimeEqual('abc', 'abcd')).to.equal(false);
    expect(constantTimeEqual(Buffer.from('x'), 'x')).to.equal(true);
  });
});
