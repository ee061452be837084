import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaIssue } from '../../hub/errors.js';
import type { EngineTransformer, MessageCatalogue } from '../../hub/engine/step.js';

/**
 * A small catalogue of test message types for the engine's own tests, independent of the city
 * catalogue: an order-like event with a subject and a sequence number.
 */
const schemas: Record<string, { carriesMyNumber: boolean; schema: object }> = {
  'test.item.recorded': {
    carriesMyNumber: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['subject', 'seq', 'value'],
      properties: {
        subject: { type: 'string', minLength: 1 },
        seq: { type: 'integer', minimum: 0 },
        value: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        note: { type: 'string' },
      },
    },
  },
  'test.item.forwarded': {
    carriesMyNumber: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['subject', 'seq', 'doubled'],
      properties: {
        subject: { type: 'string' },
        seq: { type: 'integer' },
        doubled: { type: 'integer' },
        note: { type: 'string' },
      },
    },
  },
  'test.item.unbound': {
    carriesMyNumber: false,
    schema: { type: 'object' },
  },
  // Free-form notes: declared without 個人番号, so any valid My Number inside is a leak.
  'test.note.recorded': {
    carriesMyNumber: false,
    schema: { type: 'object' },
  },
  // A type declared to carry 個人番号 (like resident.movement.recorded.tokutei).
  'test.tokutei.recorded': {
    carriesMyNumber: true,
    schema: {
      type: 'object',
      required: ['myNumber'],
      properties: { myNumber: { type: 'string' } },
    },
  },
};

/** The test catalogue (ajv, all errors, paths only — like the real registry). */
export function testCatalogue(): MessageCatalogue {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validators = new Map<string, ValidateFunction>();
  for (const [type, entry] of Object.entries(schemas))
    validators.set(type, ajv.compile(entry.schema));
  return {
    has: (type) => validators.has(type),
    carriesMyNumber: (type) => schemas[type]?.carriesMyNumber ?? false,
    validate(type, data) {
      const validate = validators.get(type);
      if (!validate) return { issues: [] };
      if (validate(data)) return { issues: [] };
      const issues: SchemaIssue[] = (validate.errors ?? []).map((error) => ({
        path: error.instancePath,
        keyword: error.keyword,
        ja: `規則 ${error.keyword} に違反しています`,
        en: `violates ${error.keyword}`,
      }));
      return { issues };
    },
  };
}

/** test.item.recorded → test.item.forwarded (value doubled). */
export const forwardTransformer: EngineTransformer = {
  name: 'test-forward',
  from: 'test.item.recorded',
  to: 'test.item.forwarded',
  transform(input: never) {
    const item = input as { subject: string; seq: number; value: number; note?: string };
    return {
      subject: item.subject,
      seq: item.seq,
      doubled: item.value * 2,
      ...(item.note === undefined ? {} : { note: item.note }),
    };
  },
};

/** Like test-forward, but only for even sequence numbers; echoes the saga subject it was given. */
export const evenOnlyTransformer: EngineTransformer = {
  name: 'test-even-only',
  from: 'test.item.recorded',
  to: 'test.item.forwarded',
  accepts(input: never) {
    return (input as { seq: number }).seq % 2 === 0;
  },
  transform(input: never, context) {
    const item = input as { subject: string; seq: number; value: number };
    return {
      subject: item.subject,
      seq: item.seq,
      doubled: item.value * 2,
      note: `saga:${context.subjectKey ?? 'none'} now:${context.now}`,
    };
  },
};

/** The test transformers by name. */
export const testTransformers: ReadonlyMap<string, EngineTransformer> = new Map([
  [forwardTransformer.name, forwardTransformer],
  [evenOnlyTransformer.name, evenOnlyTransformer],
]);
