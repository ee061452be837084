import { expect } from 'chai';
import { viewOf } from '../../hub/dead-letters/view.js';
import type { DeadLetter } from '../../hub/store/dead-letters.js';
import { createKeyedHasher } from '../../hub/security/keyed-hash.js';
import { encodeMovementFixed, movementToRecord } from './layouts.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';

function letter(headers: Record<string, unknown>, payloadSize: number): DeadLetter {
  const at = new Date('2026-12-03T00:00:00Z');
  return {
    id: 1,
    dedupeKey: null,
    messageId: 'm-1',
    messageType: 'resident.movement.recorded',
    route: null,
    step: null,
    originalExchange: 'juki.ingest',
    originalRoutingKey: 'resident.movement.recorded',
    originalQueue: null,
    reasonClass: 'validation',
    reasonJa: '不正',
    reasonEn: 'invalid',
    detail: null,
    attempts: 1,
    headers,
    properties: {},
    payloadSize,
    keyId: 'k1',
    correlationId: null,
    sourceSystem: 'KIZON_JUKI',
    subjectHash: null,
    firstFailedAt: null,
    deadLetteredAt: at,
    archivedAt: at,
    replayCount: 0,
    replayedAt: null,
    purgedAt: null,
    status: 'open',
    unreadable: null,
  };
}

describe('dead-letter view of a rejected fixed-width record (issue 17 item 7)', () => {
  const hasher = createKeyedHasher(Buffer.alloc(32, 7));
  const movement = sampleMovementRecorded();
  movement.resident.name.name = '見本　花子';
  movement.resident.address.choaza = '神田錦町';
  const bytes = encodeMovementFixed([movementToRecord(movement)]).subarray(0, -2);

  it('shows the record with names, addresses and birth date masked by their position', () => {
    const view = viewOf(
      letter({ 'x-hub-file-name': 'kizon-movement-fixed-1.dat' }, bytes.length),
      bytes,
      false,
      hasher,
    );
    expect(typeof view.body).to.equal('string');
    const body = String(view.body);
    expect(body).not.to.include('見本');
    expect(body).not.to.include('神田錦町');
    expect(body).to.include(movement.lgCode); // the other fields still read at their offsets
    expect(body).to.include('*'.repeat(60));
  });

  it('shows only the size for a record of the wrong length or an unknown file', () => {
    const short = bytes.subarray(0, 100);
    const view = viewOf(
      letter({ 'x-hub-file-name': 'kizon-movement-fixed-1.dat' }, 100),
      short,
      false,
      hasher,
    );
    expect(view.body).to.equal('[100 bytes, not JSON / JSON ではありません]');
    const other = viewOf(letter({}, bytes.length), bytes, false, hasher);
    expect(String(other.body)).to.match(/bytes, not JSON/);
  });
});
