import { expect } from 'chai';
import { ValidationError } from '../hub/errors.js';
import { loadFixtures } from './fixtures.js';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSchemaRegistry,
  readSchemaFiles,
  schemaDirectory,
  schemaRegistry,
} from './registry.js';
import { sampleMessage, sampleMovementRecorded, sampleMovementStream } from './sample.js';

const registry = schemaRegistry();
const rejecting = loadSchemaRegistry({ juminhyoCodeCheck: 'reject' });
const files = readSchemaFiles();

describe('schema registry', () => {
  it('compiles every message schema with ajv in strict mode', () => {
    expect(() => loadSchemaRegistry()).not.to.throw();
    expect(registry.list().map((info) => info.messageType)).to.deep.equal([
      ...files.messages.keys(),
    ]);
  });

  it("a lazy registry (the hub's own) answers every fixture as the eager one does, then compiles the rest", async () => {
    const lazy = loadSchemaRegistry({ compile: 'lazy' });
    const eager = loadSchemaRegistry();
    for (const fixture of loadFixtures()) {
      expect(lazy.validate(fixture.messageType, fixture.data), fixture.name).to.deep.equal(
        eager.validate(fixture.messageType, fixture.data),
      );
    }
    expect(lazy.has('no.such.type')).to.equal(false);
    expect(lazy.validate('no.such.type', {}).issues).to.have.length(1);
    await lazy.compileAll();
    await schemaRegistry().compileAll();
  });

  it('a lazy registry reports a schema that does not compile when it is first used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    for (const name of readdirSync(schemaDirectory)) {
      if (name.endsWith('.json')) {
        copyFileSync(join(schemaDirectory, name), join(dir, name));
      }
    }
    const [first] = files.messages.keys();
    const broken = join(dir, `${String(first)}.json`);
    const schema = JSON.parse(readFileSync(broken, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      broken,
      JSON.stringify({ ...schema, properties: { x: { $ref: '#/$defs/noSuchDefinition' } } }),
    );
    expect(() => loadSchemaRegistry({ schemaDir: dir })).to.throw();
    const lazy = loadSchemaRegistry({ schemaDir: dir, compile: 'lazy' });
    expect(() => lazy.validate(String(first), {})).to.throw();
    let failed = false;
    await lazy.compileAll().catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
  });

  it('has a fixture folder with valid and invalid fixtures for every message type', () => {
    for (const messageType of files.messages.keys()) {
      const fixtures = loadFixtures(messageType);
      expect(
        fixtures.some((fixture) => fixture.valid),
        `${messageType} valid`,
      ).to.equal(true);
      expect(
        fixtures.some((fixture) => !fixture.valid),
        `${messageType} invalid`,
      ).to.equal(true);
    }
  });

  describe('fixtures', () => {
    for (const fixture of loadFixtures()) {
      const label = `${fixture.messageType} ${fixture.valid ? 'accepts' : 'rejects'} ${fixture.name}`;
      it(label, () => {
        const { issues, warnings } = registry.validate(fixture.messageType, fixture.data);
        if (fixture.valid) {
          expect(issues, fixture.description).to.deep.equal([]);
          if (fixture.warns === undefined) expect(warnings).to.deep.equal([]);
          else {
            const { warns } = fixture;
            const match = warnings.some(
              (issue) => issue.keyword === warns.keyword && issue.path === warns.path,
            );
            expect(match, `expected a warning ${warns.keyword} at ${warns.path}`).to.equal(true);
          }
        } else {
          const { breaks } = fixture;
          expect(issues.length, 'must be rejected').to.be.greaterThan(0);
          const match = issues.find(
            (issue) => issue.keyword === breaks?.keyword && issue.path === breaks.path,
          );
          expect(
            match,
            `expected ${breaks?.keyword ?? ''} at ${breaks?.path ?? ''}; got ${JSON.stringify(issues.map(({ path, keyword }) => ({ path, keyword })))}`,
          ).not.to.equal(undefined);
        }
      });
    }
  });

  it('rejects the 住民票コード check digit in reject mode and warns in the default mode', () => {
    const [fixture] = loadFixtures('resident.movement.recorded').filter((item) => item.warns);
    expect(fixture).not.to.equal(undefined);
    const warned = registry.validate('resident.movement.recorded', fixture?.data);
    expect(warned.issues).to.deep.equal([]);
    expect(warned.warnings.map((issue) => issue.keyword)).to.deep.equal(['juminhyoCodeCheckDigit']);
    const rejected = rejecting.validate('resident.movement.recorded', fixture?.data);
    expect(rejected.issues.map((issue) => issue.path)).to.deep.equal(['/resident/juminhyoCode']);
  });

  it('parse returns the body and throws ValidationError with bilingual issues', () => {
    const body = sampleMovementRecorded();
    expect(registry.parse('resident.movement.recorded', body)).to.equal(body);
    const broken = { ...body, lgCode: '131017' };
    try {
      registry.parse('resident.movement.recorded', broken);
      expect.fail('parse accepted a wrong check digit');
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      expect(issues).to.deep.equal([
        {
          path: '/lgCode',
          keyword: 'lgCodeCheckDigit',
          ja: '地方公共団体コードの検査数字が一致しません',
          en: 'local government code check digit does not match',
        },
      ]);
    }
  });

  it('never puts the offending value into an issue', () => {
    const secret = '621498320258';
    const name = '秘密\uFFFD太郎';
    const body = { ...sampleMessage('resident.movement.recorded.tokutei'), myNumber: secret };
    body.resident = { ...body.resident, name: { name } };
    const { issues } = registry.validate('resident.movement.recorded.tokutei', body);
    expect(issues.length).to.be.greaterThan(1);
    const text = JSON.stringify(issues);
    expect(text).not.to.include(secret);
    expect(text).not.to.include('秘密');
  });

  it('reports an unknown message type as one issue and refuses to parse it', () => {
    expect(registry.has('resident.movement.recordd')).to.equal(false);
    expect(registry.validate('resident.movement.recordd', {}).issues[0]?.keyword).to.equal(
      'messageType',
    );
    expect(registry.carriesMyNumber('resident.movement.recordd')).to.equal(true);
  });

  it('exposes the catalogue metadata of each type', () => {
    expect(registry.info('resident.movement.recorded.tokutei')).to.deep.include({
      from: 'KIZON_JUKI',
      affair: 1,
      carriesMyNumber: true,
    });
    expect(registry.carriesMyNumber('resident.movement.recorded')).to.equal(false);
    expect(registry.info('kiosk.certificate.requested')?.title.ja).to.equal(
      'コンビニ交付 証明書交付要求',
    );
  });

  it('declares x-carries-my-number on every schema, true whenever a MyNumber can appear', () => {
    const refsMyNumber = (node: unknown): boolean =>
      Array.isArray(node)
        ? node.some(refsMyNumber)
        : typeof node === 'object' && node !== null
          ? Object.entries(node).some(
              ([key, value]) =>
                (key === '$ref' &&
                  (value === 'defs#/$defs/MyNumber' ||
                    value === 'defs#/$defs/MyNumberInBatch' ||
                    value === 'defs#/$defs/Fugo')) ||
                refsMyNumber(value),
            )
          : false;
    for (const [messageType, schema] of files.messages) {
      expect(typeof schema['x-carries-my-number'], messageType).to.equal('boolean');
      const flag = schema['x-carries-my-number'] === true;
      const text = JSON.stringify(schema);
      const opaque = text.includes('"fileRef"') || text.includes('"pdfBase64"');
      if (refsMyNumber(schema)) expect(flag, messageType).to.equal(true);
      else if (flag)
        expect(opaque, `${messageType} flags 個人番号 without a field, file or PDF`).to.equal(true);
    }
  });

  it('keeps 住民票コード out of conditional subschemas, so warn mode cannot change which branch applies', () => {
    const conditional = new Set(['if', 'then', 'else', 'not', 'oneOf', 'anyOf']);
    const walk = (node: unknown, inside: boolean): boolean => {
      if (Array.isArray(node)) return node.some((item) => walk(item, inside));
      if (typeof node !== 'object' || node === null) return false;
      return Object.entries(node).some(([key, value]) =>
        key === '$ref'
          ? inside && value === 'defs#/$defs/JuminhyoCode'
          : walk(value, inside || conditional.has(key)),
      );
    };
    for (const [messageType, schema] of files.messages)
      expect(walk(schema, false), messageType).to.equal(false);
    expect(walk(files.defs, false)).to.equal(false);
  });
});

describe('sample factories', () => {
  it('are deterministic and produce valid bodies for every message type', () => {
    for (const messageType of files.messages.keys()) {
      for (const seed of [1, 2, 99]) {
        const type = messageType as Parameters<typeof sampleMessage>[0];
        expect(sampleMessage(type, seed)).to.deep.equal(sampleMessage(type, seed));
        expect(
          registry.validate(messageType, sampleMessage(type, seed)),
          `${messageType} ${String(seed)}`,
        ).to.deep.equal({ issues: [], warnings: [] });
      }
    }
  });

  it('produce a valid movement stream with increasing historyNo per resident', () => {
    const stream = sampleMovementStream(200, 3);
    const last = new Map<string, number>();
    for (const movement of stream) {
      expect(
        registry.validate('resident.movement.recorded.tokutei', movement).issues,
      ).to.deep.equal([]);
      const previous = last.get(movement.resident.atenaNumber) ?? 0;
      expect(movement.historyNo).to.equal(previous + 1);
      last.set(movement.resident.atenaNumber, movement.historyNo);
    }
    expect(sampleMovementStream(50, 3)).to.deep.equal(sampleMovementStream(50, 3));
  });
});

describe('catalogue metadata', () => {
  const systemIds = new Set(
    (files.defs['$defs'] as Record<string, { enum?: string[] }>)['SystemId']?.enum ?? [],
  );

  it('declares title, English title, affair, from and to on every message schema', () => {
    expect(systemIds.size).to.equal(15);
    for (const [messageType, schema] of files.messages) {
      expect(schema['title'], messageType).to.be.a('string').and.not.equal('');
      expect(schema['x-title-en'], messageType).to.be.a('string').and.not.equal('');
      expect(schema['x-affair'], messageType).to.be.oneOf([1, 2, 4, 5, 7, 8, 9, 10, 11]);
      expect(systemIds.has(String(schema['x-from'])), messageType).to.equal(true);
      const to = schema['x-to'] as unknown[];
      expect(to.length, messageType).to.be.greaterThan(0);
      for (const target of to)
        expect(systemIds.has(String(target)), `${messageType} → ${String(target)}`).to.equal(true);
      expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
      expect(schema['additionalProperties'], messageType).to.equal(false);
    }
  });

  it('gives every declared property a Japanese name (x-ja) for the docs', () => {
    const conditional = new Set(['if', 'then', 'else', 'allOf']);
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (conditional.has(key)) continue;
        if (key === 'properties' && typeof value === 'object' && value !== null) {
          for (const [name, property] of Object.entries(value as Record<string, unknown>)) {
            if (typeof property === 'object' && property !== null && !('x-ja' in property))
              missing.push(`${where}/${name}`);
            walk(property, `${where}/${name}`);
          }
        } else walk(value, `${where}/${key}`);
      }
    };
    for (const [messageType, schema] of files.messages) walk(schema, messageType);
    walk(files.defs, 'defs');
    expect(missing).to.deep.equal([]);
  });
});
