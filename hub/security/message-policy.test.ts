import { expect } from 'chai';
import { PolicyError } from '../errors.js';
import {
  enforceEgressPolicy,
  enforceMyNumberPolicy,
  findMyNumbersInMessage,
  isDirectReplyTo,
} from './message-policy.js';

const n = '123456789018';

function refusal(work: () => void): PolicyError | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  return undefined;
}

describe('message policy (issue 13 item 3)', () => {
  it('finds a number in each part, naming the part and never the value', () => {
    const findings = findMyNumbersInMessage({
      body: { a: { [n]: 1 } },
      properties: { correlationId: n, messageId: 'ok', appId: `app ${n}` },
      headers: { [`x-${n}`]: 'v', 'x-list': ['a', { deep: n }], 'x-buf': Buffer.from(n) },
      routingKey: `a.${n}`,
      fileName: `f_${n}.dat`,
      url: `http://h/inbox?id=${n}`,
    });
    expect(findings).to.deep.equal([
      { part: 'body' },
      { part: 'property', name: 'correlationId' },
      { part: 'property', name: 'appId' },
      { part: 'header-name', name: 'x-[個人番号]' },
      { part: 'header-value', name: 'x-list' },
      { part: 'header-value', name: 'x-buf' },
      { part: 'routing-key' },
      { part: 'file-name' },
      { part: 'url' },
    ]);
    expect(JSON.stringify(findings)).not.to.contain(n);
  });

  it('quarantines metadata with a number even where the body may carry one', () => {
    const error = refusal(() => {
      enforceMyNumberPolicy(
        { body: { myNumber: n }, properties: { correlationId: n }, headers: {} },
        {
          messageType: 't',
          route: 'affair-1',
          declared: true,
          destination: { system: 'S', permitted: true },
        },
      );
    });
    expect(error?.reason.ja).to.contain('メタデータ');
    expect(error?.reason.en).to.contain('property correlationId');
    expect(
      `${error?.message ?? ''}${error?.reason.ja ?? ''}${error?.reason.en ?? ''}`,
    ).not.to.contain(n);
  });

  it('keeps the body rule: declared and permitted passes, undeclared or unpermitted is refused', () => {
    const target = { messageType: 't', route: 'r', declared: true };
    expect(
      refusal(() => {
        enforceMyNumberPolicy({ body: { myNumber: n } }, target);
      }),
    ).to.equal(undefined);
    expect(
      refusal(() => {
        enforceMyNumberPolicy({ body: { note: n } }, { ...target, declared: false });
      }),
    ).to.be.instanceOf(PolicyError);
    expect(
      refusal(() => {
        enforceMyNumberPolicy(
          { body: { myNumber: n } },
          { ...target, destination: { system: 'S', permitted: false } },
        );
      }),
    ).to.be.instanceOf(PolicyError);
    expect(
      refusal(() => {
        enforceMyNumberPolicy({ body: { note: 'x' } }, { ...target, declared: false });
      }),
    ).to.equal(undefined);
  });

  it('masks a message type holding a number in its reason', () => {
    const error = refusal(() => {
      enforceMyNumberPolicy(
        { body: { note: n } },
        { messageType: `t.${n}`, route: 'r', declared: false },
      );
    });
    expect(JSON.stringify(error?.reason)).not.to.contain(n);
  });

  it('egress: URL and headers always, the body when the system may not receive one', () => {
    const request = { system: 'S', url: 'http://h/inbox', headers: { a: 'b' }, body: '{}' };
    expect(
      refusal(() => {
        enforceEgressPolicy(request, false);
      }),
    ).to.equal(undefined);
    expect(
      refusal(() => {
        enforceEgressPolicy({ ...request, headers: { 'x-correlation-id': n } }, true);
      }),
    ).to.be.instanceOf(PolicyError);
    expect(
      refusal(() => {
        enforceEgressPolicy({ ...request, url: `http://h/${n}` }, true);
      }),
    ).to.be.instanceOf(PolicyError);
    expect(
      refusal(() => {
        enforceEgressPolicy({ ...request, body: `"${n}"` }, true);
      }),
    ).to.equal(undefined);
    expect(
      refusal(() => {
        enforceEgressPolicy({ ...request, body: Buffer.from(`"${n}"`) }, false);
      }),
    ).to.be.instanceOf(PolicyError);
  });

  it('egress: a full-width number in a CP932 body is found too', async () => {
    const iconv = (await import('iconv-lite')).default;
    const body = iconv.encode('番号：１２３４５６７８９０１８', 'cp932');
    expect(
      refusal(() => {
        enforceEgressPolicy({ system: 'S', url: 'http://h/inbox', headers: {}, body }, false);
      }),
    ).to.be.instanceOf(PolicyError);
  });

  it('accepts only direct reply-to addresses', () => {
    expect(
      isDirectReplyTo(
        'amq.rabbitmq.reply-to.g1h2AA1yZXBseUA5MjQ4ODg0AAAcSgAAAAVrEQJB.HhJHojonxCt8LOj7nEIZ4Q==',
      ),
    ).to.equal(true);
    expect(isDirectReplyTo('hub.step.victim')).to.equal(false);
    expect(isDirectReplyTo('amq.rabbitmq.reply-to')).to.equal(false);
    expect(isDirectReplyTo('amq.rabbitmq.reply-to.x/../y victim')).to.equal(false);
  });
});
