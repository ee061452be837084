/**
 * The people a message is about, for tracking (issue 24 item 7): the first 住民票コード
 * (`juminhyoCode`) and 個人番号 (`myNumber`) anywhere in its body, as keyed hashes only. The
 * catalogue names these fields the same in every message type (schemas/defs.json), so one walk
 * finds them without a per-type list; the walk is bounded so a huge batch body costs little.
 */

/** Keyed hash of a subject value for tracking (`trace.juminhyo` / `trace.my-number`). */
export type TraceHasher = (kind: 'juminhyo' | 'my-number', value: string) => string;

/** The hashes stored with an outcome row (null when the message names no such value). */
export interface TraceSubjects {
  readonly juminhyoHash: string | null;
  readonly myNumberHash: string | null;
}

const maxNodes = 2000;
const maxDepth = 8;

/** The first `juminhyoCode` and `myNumber` string values in `body` (depth-first, bounded). */
export function findSubjects(body: unknown): { juminhyo?: string; myNumber?: string } {
  const found: { juminhyo?: string; myNumber?: string } = {};
  let visited = 0;
  const walk = (value: unknown, depth: number): void => {
    if (visited >= maxNodes || depth > maxDepth) return;
    if (found.juminhyo !== undefined && found.myNumber !== undefined) return;
    visited += 1;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'juminhyoCode' && typeof item === 'string' && found.juminhyo === undefined)
        found.juminhyo = item;
      else if (key === 'myNumber' && typeof item === 'string' && found.myNumber === undefined)
        found.myNumber = item;
      else walk(item, depth + 1);
    }
  };
  walk(body, 0);
  return found;
}

/** Normalises what an operator types (full-width digits, spaces, hyphens) to the stored form. */
export function normaliseSubject(value: string): string {
  return value.normalize('NFKC').replace(/[\s-]/g, '');
}

/** The hashes of the subjects in `body` (none without a hasher). */
export function traceSubjectsOf(body: unknown, hash: TraceHasher | undefined): TraceSubjects {
  if (hash === undefined || body === undefined) return { juminhyoHash: null, myNumberHash: null };
  const found = findSubjects(body);
  return {
    juminhyoHash:
      found.juminhyo === undefined ? null : hash('juminhyo', normaliseSubject(found.juminhyo)),
    myNumberHash:
      found.myNumber === undefined ? null : hash('my-number', normaliseSubject(found.myNumber)),
  };
}
