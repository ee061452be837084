import { expect } from 'chai';
import type { Delivery } from '../broker/index.js';
import { canonicalJson, rowHash, GENESIS_HASH } from '../audit/operator-log.js';
import { letterFromDelivery } from './archiver.js';
import { replayMessageId } from './replay.js';

function delivery(headers: Record<string, unknown>): Delivery {
  const properties: Delivery['properties'] = {
    contentType: 'application/json',
    contentEncoding: undefined,
    headers,
    deliveryMode: 2,
    priority: undefined,
    correlationId: 'c-1',
    replyTo: undefined,
    expiration: undefined,
    messageId: 'm-1',
    timestamp: undefined,
    type: 'resident.movement.recorded',
    userId: undefined,
    appId: 'KIZON_JUKI',
    clusterId: undefined,
  };
  return {
    content: Buffer.from('{"a":1}'),
    properties,
    headers,
    routingKey: 'resident.movement.recorded',
    exchange: 'hub.dlx',
    redelivered: false,
    queue: 'hub.dead-letters',
    live: () => true,
  };
}

const death = (reason: string, count = 1) => ({
  'x-death': [
    {
      count,
      reason,
      queue: 'hub.step.affair-1.to-cs',
      time: { '!': 'timestamp', value: 1_795_830_232 },
      exchange: 'hub.events',
      'routing-keys': ['resident.movement.recorded'],
    },
  ],
  'x-first-death-reason': reason,
  'x-first-death-queue': 'hub.step.affair-1.to-cs',
});

describe('letterFromDelivery', () => {
  it('maps broker reasons: delivery_limit, expired → timeout, rejected → internal', () => {
    const limit = letterFromDelivery(delivery(death('delivery_limit')));
    expect(limit).to.include({
      reasonClass: 'delivery_limit',
      step: 'affair-1.to-cs',
      originalQueue: 'hub.step.affair-1.to-cs',
      originalExchange: 'hub.events',
      sourceSystem: 'KIZON_JUKI',
      correlationId: 'c-1',
    });
    expect(limit.deadLetteredAt.toISOString()).to.equal('2026-11-28T01:43:52.000Z');
    expect(limit.reasonJa).to.contain('配送回数の上限');
    expect(letterFromDelivery(delivery(death('expired'))).reasonClass).to.equal('timeout');
    const rejected = letterFromDelivery(delivery(death('rejected')));
    expect(rejected.reasonClass).to.equal('internal');
    expect(rejected.reasonEn).to.contain('rejected');
  });

  it('takes the hub reason headers and dedupes on message id, step and time', () => {
    const headers = {
      'x-hub-reason-class': 'validation',
      'x-hub-reason-ja': 'スキーマに適合しません',
      'x-hub-reason-en': 'not valid',
      'x-hub-error-code': 'HUB_INVALID_MESSAGE',
      'x-hub-schema-paths': '/resident required',
      'x-hub-step': 'affair-1.to-cs',
      'x-hub-route': 'affair-1',
      'x-hub-attempt': 1,
      'x-hub-subject': 'hash-of-subject',
      'x-hub-failed-at': '2026-11-28T01:00:00.000Z',
    };
    const first = letterFromDelivery(delivery(headers));
    expect(first).to.include({
      reasonClass: 'validation',
      route: 'affair-1',
      detail: 'HUB_INVALID_MESSAGE /resident required',
      subjectHash: 'hash-of-subject',
    });
    expect(letterFromDelivery(delivery(headers)).dedupeKey).to.equal(first.dedupeKey);
    const later = { ...headers, 'x-hub-failed-at': '2026-11-28T01:00:01.000Z' };
    expect(letterFromDelivery(delivery(later)).dedupeKey).not.to.equal(first.dedupeKey);
  });

  it('a letter moved on to the overflow queue is the same letter: reason, attempts, dedupe key', () => {
    const archiveDeath = {
      count: 20,
      reason: 'delivery_limit',
      queue: 'hub.dead-letters',
      time: { '!': 'timestamp', value: 1_795_830_299 },
      exchange: 'hub.dlx',
      'routing-keys': ['resident.movement.recorded'],
    };
    const moved = (headers: Record<string, unknown>) => {
      const deaths = (headers['x-death'] as unknown[] | undefined) ?? [];
      const onward: Record<string, unknown> = {
        ...headers,
        'x-death': [archiveDeath, ...deaths],
        'x-last-death-queue': 'hub.dead-letters',
        'x-last-death-reason': 'delivery_limit',
        'x-delivery-count': 20,
      };
      if (deaths.length === 0) {
        onward['x-first-death-queue'] = 'hub.dead-letters';
        onward['x-first-death-reason'] = 'delivery_limit';
      }
      const moving = delivery(onward);
      return {
        ...moving,
        exchange: 'hub.dead-letters.overflow',
        queue: 'hub.dead-letters.overflow',
      };
    };
    const hub = {
      'x-hub-reason-class': 'connector',
      'x-hub-reason-ja': '送信に失敗しました',
      'x-hub-reason-en': 'delivery failed',
      'x-hub-step': 'affair-1.to-cs',
      'x-hub-attempt': 5,
      'x-hub-failed-at': '2026-11-28T01:00:00.000Z',
    };
    for (const headers of [hub, death('expired'), {}]) {
      const original = letterFromDelivery(delivery(headers));
      const again = letterFromDelivery(moved(headers));
      for (const field of [
        'dedupeKey',
        'reasonClass',
        'reasonEn',
        'attempts',
        'step',
        'originalExchange',
        'originalRoutingKey',
        'originalQueue',
      ] as const) {
        expect(again[field], field).to.deep.equal(original[field]);
      }
    }
  });

  it('sends a letter published straight to hub.dlx without a destination back to hub.events', () => {
    const letter = letterFromDelivery(delivery({ 'x-hub-reason-class': 'validation' }));
    expect(letter.originalExchange).to.equal('hub.events');
    expect(letter.originalRoutingKey).to.equal('resident.movement.recorded');
  });
});

describe('replay ids and the log hash', () => {
  it('derives one replay id from the original id, the same for every replay', () => {
    // Every replay of one message carries the same id (the receiver de-duplicates by it).
    expect(replayMessageId('m-1')).to.equal(replayMessageId('m-1'));
    expect(replayMessageId('m-1')).not.to.equal(replayMessageId('m-2'));
    expect(replayMessageId('m-1')).not.to.equal('m-1');
  });

  it('hashes canonical JSON: key order does not matter, content does', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3] } })).to.equal('{"a":{"c":[3],"d":2},"b":1}');
    const row = {
      seq: 1,
      at: new Date('2026-11-28T00:00:00.000Z'),
      actor: 'op1',
      role: 'operator',
      action: 'dead-letter.purge',
      target: null,
      reason: null,
      detailJson: null,
    };
    expect(rowHash(GENESIS_HASH, row)).to.match(/^[0-9a-f]{64}$/);
    expect(rowHash(GENESIS_HASH, { ...row, actor: 'op2' })).not.to.equal(
      rowHash(GENESIS_HASH, row),
    );
  });
});
