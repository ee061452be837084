/**
 * The operator's view of dead letters, shared by the CLI and the HTTP API so both enforce the same
 * rules: anyone signed in reads masked; only an operator unmasks (with a reason), replays and purges;
 * every such action is in the operator log before its effect is shown.
 */
import { HubError } from '../errors.js';
import { createOperatorLog, type OperatorLog } from '../audit/operator-log.js';
import type { KeyRing } from '../security/keys.js';
import type { Store } from '../store/types.js';
import {
  createDeadLetterRepository,
  UnreadableLetterError,
  type DeadLetterFilter,
  type DeadLetterRepository,
} from '../store/dead-letters.js';
import { viewOf, type DeadLetterView } from './view.js';
import { createReplayer, type Actor, type ReplayDeps, type ReplayRequest } from './replay.js';

/** Shortest reason accepted for an unmasked view (a word, not a keystroke). */
export const MIN_REASON_LENGTH = 4;

/** The caller may not do this (wrong role, no reason). `status` is the HTTP answer. */
export class OperatorRefusal extends HubError {
  readonly status: 400 | 403 | 404;

  constructor(status: 400 | 403 | 404, en: string, ja: string) {
    super('HUB_OPERATOR_REFUSED', en, 'dead-letter', { reason: { en, ja } });
    this.status = status;
  }
}

/** What the service needs; `replay` carries the publisher and catalogue. */
export interface ServiceDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly replay: Omit<ReplayDeps, 'repository' | 'operatorLog'>;
}

function requireOperator(actor: Actor, what: { en: string; ja: string }): void {
  if (actor.role !== 'operator') {
    throw new OperatorRefusal(
      403,
      `${what.en} needs the operator role (${actor.name} is ${actor.role})`,
      `${what.ja}にはオペレーター権限が必要です（${actor.name} は ${actor.role}）`,
    );
  }
}

/** Creates the service over one store. */
export function createDeadLetterService(deps: ServiceDeps) {
  const repository: DeadLetterRepository = createDeadLetterRepository(deps.store, deps.keyRing);
  const operatorLog: OperatorLog = createOperatorLog(deps.store, deps.keyRing);
  const replayer = createReplayer({ ...deps.replay, repository, operatorLog });

  return {
    repository,
    operatorLog,
    replayer,
    list: (filter: DeadLetterFilter) => repository.list(filter),
    counts: (filter: DeadLetterFilter) => repository.counts(filter),

    /** One letter, masked; unmasked only for an operator with a reason, logged first. */
    async show(
      id: number,
      options: { actor?: Actor | undefined; unmask?: boolean; reason?: string | undefined } = {},
    ): Promise<DeadLetterView> {
      const letter = await repository.get(id);
      if (letter === undefined) {
        throw new OperatorRefusal(
          404,
          `no dead letter ${String(id)}`,
          `デッドレター ${String(id)} はありません`,
        );
      }
      if (options.unmask === true) {
        const reason = options.reason?.trim() ?? '';
        if (reason.length < MIN_REASON_LENGTH) {
          throw new OperatorRefusal(
            400,
            'an unmasked view needs a reason (--reason "…", at least 4 characters); it is recorded',
            'マスク解除には理由が必要です（--reason "…"、4 文字以上）。理由は記録されます',
          );
        }
        const actor = options.actor;
        if (actor === undefined) {
          throw new OperatorRefusal(
            403,
            'an unmasked view needs a signed-in operator (--as <user>)',
            'マスク解除にはオペレーターとしての認証が必要です（--as <利用者>）',
          );
        }
        requireOperator(actor, { en: 'An unmasked view', ja: 'マスク解除' });
        await operatorLog.append({
          actor: actor.name,
          role: actor.role,
          action: 'dead-letter.unmask',
          target: `dead-letter:${String(id)}`,
          reason,
          detail: { messageId: letter.messageId },
        });
      }
      // A payload that cannot be decrypted is that letter's problem: shown as such, never thrown on.
      const payload = await repository.payload(id).catch((error: unknown) => {
        if (error instanceof UnreadableLetterError) return error;
        throw error;
      });
      return viewOf(letter, payload, options.unmask === true, deps.keyRing.hasher());
    },

    /** Replays (an operator's action; a dry run is open to every role). */
    async replay(request: ReplayRequest) {
      if (request.dryRun !== true) requireOperator(request.actor, { en: 'Replay', ja: '再送' });
      if (request.body !== undefined) {
        requireOperator(request.actor, { en: 'Editing a dead letter', ja: 'デッドレターの修正' });
      }
      return replayer.run(request);
    },

    /** Deletes payloads older than `before`; records the ids purged. */
    async purge(
      actor: Actor,
      before: Date,
      rule: string,
      filter: DeadLetterFilter = {},
      reason?: string,
    ): Promise<number[]> {
      requireOperator(actor, { en: 'Purge', ja: '削除' });
      // Logged before the payloads go: a record that names a purge which then failed half way can be
      // repeated (purging is idempotent); a purge that happened without a record could not be undone.
      const candidates = await repository.list({ ...filter, until: before, limit: 100_000 });
      const planned = candidates.map((letter) => letter.id);
      if (planned.length === 0) return [];
      await operatorLog.append({
        actor: actor.name,
        role: actor.role,
        action: 'dead-letter.purge',
        target: 'dead-letters',
        reason: reason ?? null,
        detail: { rule, before: before.toISOString(), count: planned.length, ids: planned },
      });
      return repository.purge(before, { ...filter, ids: planned });
    },
  };
}

/** The service created by `createDeadLetterService`. */
export type DeadLetterService = ReturnType<typeof createDeadLetterService>;
