import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { PolicyError } from '../errors.js';
import { containsFugo, findFugos, isValidFugo, maskFugos, withFugoCheckChar } from './fugo.js';
import { maskText, maskValue, scanForLeaks } from './mask.js';
import { enforceEgressPolicy, enforceMyNumberPolicy } from './message-policy.js';

const fugo = withFugoCheckChar('ABCDEFGHIJKLMNOPQRSTUVWXYZ23456');

describe('符号 (情報提供用個人識別符号) like a My Number', () => {
  it('checks the check character and finds a 符号 in text, never reading one out of longer runs', () => {
    expect(isValidFugo(fugo)).to.equal(true);
    const wrong = `${fugo.slice(0, 31)}${fugo[31] === 'A' ? 'B' : 'A'}`;
    expect(isValidFugo(wrong)).to.equal(false);
    expect(isValidFugo(fugo.toLowerCase())).to.equal(false);
    expect(findFugos(`符号=${fugo}。`)).to.deep.equal([{ index: 3, length: 32 }]);
    expect(findFugos(`X${fugo}`)).to.deep.equal([]);
    expect(findFugos(wrong)).to.deep.equal([]);
    expect(containsFugo({ a: [{ b: fugo }] })).to.equal(true);
    expect(containsFugo({ [fugo]: 1 })).to.equal(true);
  });

  it('never takes the hub’s own ids for one', () => {
    for (let i = 0; i < 2000; i += 1) {
      expect(findFugos(randomUUID())).to.deep.equal([]);
    }
    expect(findFugos('a'.repeat(32))).to.deep.equal([]);
  });

  it('is masked in text, values and leak scans, by value and by key', () => {
    expect(maskFugos(`x ${fugo} y`)).to.equal('x [符号] y');
    expect(maskText(`token ${fugo} and 123456789018`)).to.equal('token [符号] and [個人番号]');
    expect(JSON.stringify(maskValue({ note: `is ${fugo}`, fugo: 'whatever' }))).not.to.contain(
      fugo,
    );
    expect(JSON.stringify(maskValue({ fugo: 'whatever' }))).to.contain('[符号]');
    expect(scanForLeaks(`a ${fugo}`)).to.deep.equal([{ kind: 'fugo', index: 2 }]);
  });

  it('is quarantined where a My Number would be: undeclared body, metadata, a system that may not have one', () => {
    const refused = (work: () => void) => {
      try {
        work();
      } catch (error) {
        if (error instanceof PolicyError) return error.reasonClass;
        throw error;
      }
      return undefined;
    };
    expect(
      refused(() => {
        enforceMyNumberPolicy(
          { body: { fugo } },
          { messageType: 'fugo.acquisition.reported', route: 'affair-5', declared: false },
        );
      }),
    ).to.equal('policy');
    expect(
      refused(() => {
        enforceMyNumberPolicy(
          { body: {}, properties: { correlationId: fugo } },
          { messageType: 'fugo.acquisition.completed', route: 'affair-5', declared: true },
        );
      }),
    ).to.equal('policy');
    expect(
      refused(() => {
        enforceMyNumberPolicy(
          { body: { fugo } },
          {
            messageType: 'fugo.acquisition.completed',
            route: 'affair-5',
            declared: true,
            destination: { system: 'KYOTSU_KIBAN', permitted: false },
          },
        );
      }),
    ).to.equal('policy');
    expect(
      refused(() => {
        enforceMyNumberPolicy(
          { body: { fugo } },
          {
            messageType: 'fugo.acquisition.completed',
            route: 'affair-5',
            declared: true,
            destination: { system: 'CHUKAN_SERVER', permitted: true },
          },
        );
      }),
    ).to.equal(undefined);
    expect(
      refused(() => {
        enforceEgressPolicy(
          { system: 'CARD_MGMT', url: 'http://h/inbox', headers: {}, body: `{"t":"${fugo}"}` },
          false,
        );
      }),
    ).to.equal('policy');
  });
});
