/**
 * Message tracking (issue 24 item 7): one timeline across every step and system for a message id, a
 * correlation id, or a person (住民票コード / 個人番号). A person is looked up only by keyed hashes
 * made here, under every key of the ring (rows written before a rotation carry the older key's hash);
 * the value itself is never stored, logged or answered. Every search is recorded in the operator log
 * (who, what kind, the hash — never the value), whether it found anything or not.
 */
import { createOperatorLog, type OperatorLog } from '../audit/operator-log.js';
import type { StepSpec } from '../engine/step.js';
import { normaliseSubject } from '../engine/trace-subjects.js';
import type { KeyRing } from '../security/keys.js';
import { maskText } from '../security/mask.js';
import type { Store } from '../store/types.js';
import { createTraceReader, type TraceEvent, type TraceSeed } from '../store/trace.js';
import { OperatorRefusal } from '../dead-letters/service.js';

/** What an operator searches by (exactly one). */
export type TraceQuery =
  | { readonly messageId: string }
  | { readonly correlationId: string }
  | { readonly juminhyoCode: string }
  | { readonly myNumber: string };

/** Who searches (recorded). */
export interface TraceActor {
  readonly name: string;
  readonly role: string;
}

/** One step of the timeline as answered: masked ids, the step's system when it delivers. */
export interface TraceEntry {
  readonly at: string;
  readonly kind: TraceEvent['kind'];
  readonly messageId: string;
  readonly messageType: string;
  readonly route: string | null;
  readonly step: string | null;
  readonly system: string | null;
  readonly outcome: string;
  readonly attempt: number | null;
  readonly correlationId: string | null;
  readonly outputMessageId: string | null;
  readonly reasonClass: string | null;
  readonly detail: string | null;
  readonly deadLetterId?: number;
  readonly reasonJa?: string;
  readonly reasonEn?: string;
}

/** The answer of a search. */
export interface TraceView {
  /** What was searched: ids masked, a person as `juminhyo` / `my-number` only. */
  readonly searched: { readonly kind: TraceSeed['kind']; readonly value?: string };
  readonly messageIds: readonly string[];
  readonly correlationIds: readonly string[];
  /** The steps the timeline passes, in first-seen order. */
  readonly steps: readonly string[];
  /** The systems delivered to (or tried), in first-seen order. */
  readonly systems: readonly string[];
  readonly entries: readonly TraceEntry[];
  readonly truncated: boolean;
}

/** What the service needs. */
export interface TraceServiceDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  /** The steps running (to name the system a step delivers to); none known is fine. */
  readonly steps?: () => readonly StepSpec[];
  readonly operatorLog?: OperatorLog;
}

const idPattern = /^[\x21-\x7e]{1,255}$/;

function refuse(en: string, ja: string): never {
  throw new OperatorRefusal(400, en, ja);
}

/** Parses an untyped query (HTTP body or query string) into exactly one search. */
export function traceQueryFrom(input: Record<string, unknown>): TraceQuery {
  const given = (['messageId', 'correlationId', 'juminhyoCode', 'myNumber'] as const).filter(
    (name) => input[name] !== undefined && input[name] !== '',
  );
  const name = given[0];
  if (given.length !== 1 || name === undefined) {
    refuse(
      'give exactly one of messageId, correlationId, juminhyoCode, myNumber',
      'messageId・correlationId・juminhyoCode・myNumber のいずれか一つを指定してください',
    );
  }
  const value = input[name];
  if (typeof value !== 'string')
    refuse(`${name} must be text`, `${name} は文字列で指定してください`);
  return { [name]: value } as TraceQuery;
}

/** The seed of a query: ids as given, a person as keyed hashes under every key. */
export function seedOf(query: TraceQuery, keyRing: KeyRing): TraceSeed {
  if ('messageId' in query || 'correlationId' in query) {
    const value = 'messageId' in query ? query.messageId : query.correlationId;
    if (!idPattern.test(value)) {
      refuse(
        'an id is 1-255 printable ASCII characters',
        'ID は 1〜255 文字の ASCII 印字可能文字です',
      );
    }
    return 'messageId' in query ? { kind: 'message-id', value } : { kind: 'correlation-id', value };
  }
  const kind = 'juminhyoCode' in query ? 'juminhyo' : 'my-number';
  const value = normaliseSubject('juminhyoCode' in query ? query.juminhyoCode : query.myNumber);
  if (kind === 'juminhyo' && !/^\d{11}$/.test(value)) {
    refuse('a 住民票コード is 11 digits', '住民票コードは 11 桁の数字です');
  }
  if (kind === 'my-number' && !/^\d{12}$/.test(value)) {
    refuse('a 個人番号 is 12 digits', '個人番号は 12 桁の数字です');
  }
  const hashes = keyRing.ids.flatMap((id) => {
    const hasher = keyRing.hasherFor(id);
    return hasher === undefined ? [] : [hasher.hash(`trace.${kind}`, value)];
  });
  return { kind, hashes };
}

/** The tracking service (CLI, HTTP API and the editor's sidebar share it). */
export function createTraceService(deps: TraceServiceDeps) {
  const reader = createTraceReader(deps.store);
  const operatorLog = deps.operatorLog ?? createOperatorLog(deps.store, deps.keyRing);
  return {
    async search(query: TraceQuery, actor: TraceActor): Promise<TraceView> {
      const seed = seedOf(query, deps.keyRing);
      const searched =
        seed.kind === 'message-id' || seed.kind === 'correlation-id'
          ? { kind: seed.kind, value: maskText(seed.value) }
          : { kind: seed.kind };
      const result = await reader.trace(seed);
      // Recorded before answering: an access that was answered is always in the log.
      await operatorLog.append({
        actor: actor.name,
        role: actor.role,
        action: 'message.trace',
        target:
          seed.kind === 'message-id' || seed.kind === 'correlation-id'
            ? `${seed.kind}:${maskText(seed.value)}`
            : `${seed.kind}:${(seed.hashes[0] ?? '').slice(0, 16)}`,
        detail: {
          kind: seed.kind,
          ...(seed.kind === 'juminhyo' || seed.kind === 'my-number'
            ? { subjectHash: seed.hashes[0] ?? null, keyId: deps.keyRing.current.id }
            : {}),
          messages: result.messageIds.length,
          events: result.events.length,
        },
      });
      const systems = new Map<string, string>();
      for (const step of deps.steps?.() ?? []) {
        if (step.output.kind === 'deliver') systems.set(step.name, step.output.system);
      }
      const entries: TraceEntry[] = result.events.map((event) => ({
        at: event.at.toISOString(),
        kind: event.kind,
        messageId: maskText(event.messageId),
        messageType: maskText(event.messageType),
        route: event.route,
        step: event.step,
        system: event.step === null ? null : (systems.get(event.step) ?? null),
        outcome: event.outcome,
        attempt: event.attempt,
        correlationId: event.correlationId === null ? null : maskText(event.correlationId),
        outputMessageId: event.outputMessageId === null ? null : maskText(event.outputMessageId),
        reasonClass: event.reasonClass,
        detail: event.detail === null ? null : maskText(event.detail),
        ...(event.deadLetterId === undefined ? {} : { deadLetterId: event.deadLetterId }),
        ...(event.reasonJa === undefined ? {} : { reasonJa: maskText(event.reasonJa) }),
        ...(event.reasonEn === undefined ? {} : { reasonEn: maskText(event.reasonEn) }),
      }));
      const firstSeen = (values: (string | null)[]) => [
        ...new Set(values.filter((value): value is string => value !== null)),
      ];
      return {
        searched,
        messageIds: result.messageIds.map((id) => maskText(id)),
        correlationIds: result.correlationIds.map((id) => maskText(id)),
        steps: firstSeen(entries.map((entry) => entry.step)),
        systems: firstSeen(entries.map((entry) => entry.system)),
        entries,
        truncated: result.truncated,
      };
    },
  };
}

/** The service created by `createTraceService`. */
export type TraceService = ReturnType<typeof createTraceService>;
