/**
 * What a person sees of a dead letter: masked unless an operator unmasked it, the body as JSON when
 * it is JSON, and a keyed hash of the bytes. Shared by the CLI, the HTTP API and the editor sidebar.
 */
import type { KeyedHasher } from '../security/keyed-hash.js';
import { maskValue } from '../security/mask.js';
import { layoutForFile } from '../../connectors/index.js';
import { maskLetterFields, UnreadableLetterError, type DeadLetter } from '../store/dead-letters.js';

/**
 * A letter with every field a person sees masked (issue 13 item 5): ids, message type, routing key,
 * reasons, detail, correlation id, source, and headers and properties — values and keys. Masking is
 * the identity on anything that holds no My Number, so ordinary letters read exactly as stored.
 */
export function maskedLetter(letter: DeadLetter): DeadLetter {
  return maskLetterFields(letter);
}

/** A dead letter as a person sees it: the body masked unless an operator unmasked it. */
export interface DeadLetterView {
  readonly letter: DeadLetter;
  readonly masked: boolean;
  /** The body: parsed JSON (masked or not), or a note when the bytes are not JSON or purged. */
  readonly body: unknown;
  /**
   * A keyed hash (HMAC-SHA256 under the hub's key, base64url) of the original bytes, to compare two
   * letters without showing them. Never a plain SHA-256: over a short body that would be a guessable
   * fingerprint of the number in it.
   */
  readonly bodyHash: string | null;
  /** Present when the payload cannot be decrypted: why, for the operator (no content). */
  readonly unreadable?: { readonly code: string; readonly en: string; readonly ja: string };
}

/** The keyed hash of a letter's bytes shown in views (purpose `dead-letter.body`). */
export function bodyHashOf(hasher: KeyedHasher, payload: Buffer): string {
  return hasher.hash('dead-letter.body', payload.toString('base64'));
}

/**
 * Builds the view of a letter; `unmask` shows the body as it was (operators, with a logged reason).
 * A payload that could not be decrypted (UnreadableLetterError) shows the letter without a body.
 */
export function viewOf(
  letter: DeadLetter,
  payload: Buffer | undefined | UnreadableLetterError,
  unmask: boolean,
  hasher: KeyedHasher,
): DeadLetterView {
  const shown: DeadLetter = unmask ? letter : maskedLetter(letter);
  if (payload instanceof UnreadableLetterError) {
    return {
      letter: {
        ...shown,
        unreadable: letter.unreadable ?? { at: new Date(), reason: payload.message },
      },
      masked: !unmask,
      body: '[unreadable: cannot be decrypted / 復号できません]',
      bodyHash: null,
      unreadable: { code: payload.code, en: payload.reason.en, ja: payload.reason.ja },
    };
  }
  if (payload === undefined) {
    return {
      letter: shown,
      masked: !unmask,
      body: '[purged / 削除済み]',
      bodyHash: null,
    };
  }
  const hash = bodyHashOf(hasher, payload);
  const text = payload.toString('utf8');
  let parsed: unknown;
  let json = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    json = false;
  }
  if (unmask) return { letter: shown, masked: false, body: json ? parsed : text, bodyHash: hash };
  // A non-JSON body has no field names to mask by: a record of a known fixed-width layout is masked
  // by position (issue 17); anything else shows only its size.
  const fileName = letter.headers['x-hub-file-name'];
  const record = json
    ? undefined
    : typeof fileName === 'string'
      ? layoutForFile(fileName)?.maskRecord?.(payload)
      : undefined;
  const body = json
    ? maskValue(parsed)
    : (record ?? `[${String(payload.length)} bytes, not JSON / JSON ではありません]`);
  return { letter: shown, masked: true, body, bodyHash: hash };
}

/** A summary row for tables and JSON lists (no body): every text field masked. */
export function summaryOf(stored: DeadLetter): Record<string, unknown> {
  const letter = maskedLetter(stored);
  return {
    id: letter.id,
    deadLetteredAt: letter.deadLetteredAt.toISOString(),
    route: letter.route,
    step: letter.step,
    messageType: letter.messageType,
    reasonClass: letter.reasonClass,
    reasonJa: letter.reasonJa,
    reasonEn: letter.reasonEn,
    attempts: letter.attempts,
    messageId: letter.messageId,
    correlationId: letter.correlationId,
    sourceSystem: letter.sourceSystem,
    status: letter.status,
    replayCount: letter.replayCount,
    unreadable: letter.unreadable !== null,
  };
}

/** The dead letters of one message: a bad message dead-lettered by each step bound to its type. */
export interface DeadLetterGroup {
  readonly messageId: string;
  readonly messageType: string;
  /** Oldest first. */
  readonly letters: readonly DeadLetter[];
}

/**
 * The operator's view: one entry per message, listing its letters (one per step that refused it),
 * in the order of each message's first letter. A message published once and refused by three steps
 * is one problem to fix, not three; a replay still goes to each step (each needs its copy).
 */
export function groupByMessage(letters: readonly DeadLetter[]): DeadLetterGroup[] {
  const groups = new Map<
    string,
    { messageId: string; messageType: string; letters: DeadLetter[] }
  >();
  for (const letter of letters) {
    const key = `${letter.messageType}\u0000${letter.messageId}`;
    const group = groups.get(key) ?? {
      messageId: letter.messageId,
      messageType: letter.messageType,
      letters: [],
    };
    group.letters.push(letter);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => ({
    ...group,
    letters: [...group.letters].sort((a, b) => a.id - b.id),
  }));
}

/**
 * Where a file-drop letter came from, for people: the file, the record's number and line, and the
 * layout it was read with (`x-hub-file-*` headers); undefined for other letters.
 */
export function fileOriginOf(letter: DeadLetter): string | undefined {
  const header = (name: string) => {
    const value = letter.headers[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const file = header('x-hub-file-name');
  if (file === undefined) return undefined;
  const record = header('x-hub-file-record');
  const line = header('x-hub-file-line');
  const layout = header('x-hub-file-layout');
  return [
    file,
    record === undefined ? undefined : `record ${record} / ${record} 件目`,
    line === undefined ? undefined : `line ${line} / ${line} 行目`,
    layout === undefined ? undefined : `layout ${layout} / 様式 ${layout}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}
