/**
 * Length limits of the shared definitions, read from defs.json, so a fixed-width layout takes its byte
 * lengths from the schema instead of repeating them (one source of truth): a field whose characters
 * are one CP932 byte each (half-width kana) is `maxCodePoints` bytes long, a 全角 field twice that.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const defs = JSON.parse(readFileSync(join(import.meta.dirname, 'defs.json'), 'utf8')) as {
  $defs: Record<string, { maxCodePoints?: unknown }>;
};

/** The `maxCodePoints` of a shared definition; throws when it has none (a layout must not guess). */
export function maxCodePointsOf(definition: string): number {
  const limit = defs.$defs[definition]?.maxCodePoints;
  if (typeof limit !== 'number') throw new Error(`defs.json ${definition} has no maxCodePoints`);
  return limit;
}

/** The byte length of a fixed-width field holding a definition: 1 byte per code point, or 2 (全角). */
export function fixedWidthBytesOf(definition: string, bytesPerCodePoint: 1 | 2): number {
  return maxCodePointsOf(definition) * bytesPerCodePoint;
}
