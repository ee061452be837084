import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectorError, ValidationError } from '../errors.js';
import { deadLetterHeaders } from './headers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('dead-letter headers: one builder', () => {
  const at = new Date('2026-12-03T00:30:00.000Z');

  it('writes where the message was going, why in Japanese and English, the code, when and the schema paths', () => {
    const error = new ValidationError('resident.movement.recorded', [
      { path: '/resident/name', keyword: 'required', ja: '必須です', en: 'is required' },
    ]);
    const headers = deadLetterHeaders({
      error,
      originalExchange: 'hub.events',
      originalRoutingKey: 'resident.movement.recorded',
      failedAt: at,
    });
    expect(headers).to.deep.equal({
      'x-hub-original-exchange': 'hub.events',
      'x-hub-original-routing-key': 'resident.movement.recorded',
      'x-hub-reason-class': 'validation',
      'x-hub-reason-ja': error.reason.ja,
      'x-hub-reason-en': error.reason.en,
      'x-hub-error-code': 'HUB_INVALID_MESSAGE',
      'x-hub-failed-at': '2026-12-03T00:30:00.000Z',
      'x-hub-schema-paths': '/resident/name required',
    });
  });

  it('keeps the caller’s facts, but a carried header never masks why this message failed', () => {
    const headers = deadLetterHeaders(
      {
        error: new ConnectorError('KYOTSU_KIBAN', 'HTTP 400 (refused)', false),
        originalExchange: 'hub.events',
        originalRoutingKey: 'atena.changed',
        failedAt: at,
      },
      { 'x-hub-step': 'affair-1.atena', 'x-hub-reason-class': 'validation' },
    );
    expect(headers['x-hub-step']).to.equal('affair-1.atena');
    expect(headers['x-hub-reason-class']).to.equal('connector');
    expect(headers).to.not.have.property('x-hub-schema-paths');
  });

  it('names an unknown error by its type only, never its text', () => {
    const headers = deadLetterHeaders({
      error: new TypeError('secret 123456789012'),
      originalExchange: 'hub.events',
      originalRoutingKey: 'x',
      failedAt: at,
    });
    expect(headers['x-hub-error-code']).to.equal('TypeError');
    expect(JSON.stringify(headers)).to.not.contain('123456789012');
  });

  it('is the only place in the hub and the connectors that writes the failure headers', () => {
    const writers: string[] = [];
    for (const dir of ['hub', 'connectors']) {
      for (const file of sourceFiles(join(root, dir))) {
        if (/'x-hub-reason-(ja|en|class)'\s*:/.test(readFileSync(file, 'utf8'))) {
          writers.push(relative(root, file));
        }
      }
    }
    expect(writers).to.deep.equal(['hub/dead-letters/headers.ts']);
  });
});
