/**
 * What operators see and do with sagas (`hub sagas`, the editor's sidebar): open cases, overdue ones
 * first, where each stands and what it waits for; one case with its steps and their times; retrying
 * a failed step or closing a case with a reason, both written to the operator log. What is shown is
 * masked as dead letters are (個人番号, names, addresses); logs carry ids only.
 */
import { createOperatorLog } from '../audit/operator-log.js';
import type { KeyRing } from '../security/keys.js';
import { maskText, maskValue } from '../security/mask.js';
import { sagas as sagaRepository, type SagaRow } from '../store/sagas.js';
import type { Store } from '../store/types.js';
import type { SagaDefinition } from './definition.js';

/** One case as an operator sees it. */
export interface SagaSummary {
  readonly correlationId: string;
  readonly saga: string;
  readonly route: string | null;
  readonly state: string;
  readonly overdue: boolean;
  /** 1-based position of the step it stands at, and the steps in all. */
  readonly stepNo: number;
  readonly steps: number;
  readonly stepId: string | null;
  readonly stepLabel: string | null;
  /** The system the step talks to or waits for. */
  readonly system: string | null;
  readonly waitingFor: string | null;
  readonly dueOn: string | null;
  readonly attempts: number;
  readonly errorEn: string | null;
  readonly errorJa: string | null;
  readonly closedReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One step of a case. */
export interface SagaStepView {
  readonly no: number;
  readonly id: string;
  readonly label: string;
  readonly system: string;
  readonly state: 'DONE' | 'CURRENT' | 'PENDING';
  readonly doneAt: string | null;
  readonly attempts: number | null;
}

/** Who acts. */
export interface SagaActor {
  readonly name: string;
  readonly role: string;
}

/** A refused operator action (unknown case, wrong state, missing reason, role). */
export class SagaRefusal extends Error {
  readonly ja: string;
  readonly status: number;
  constructor(en: string, ja: string, status: number) {
    super(en);
    this.name = 'SagaRefusal';
    this.ja = ja;
    this.status = status;
  }
}

/** The service. */
export interface SagaService {
  list(options?: { all?: boolean; limit?: number }): Promise<SagaSummary[]>;
  show(
    correlationId: string,
  ): Promise<{ summary: SagaSummary; steps: SagaStepView[]; input: unknown }>;
  retry(correlationId: string, actor: SagaActor, reason?: string): Promise<SagaSummary>;
  close(correlationId: string, actor: SagaActor, reason: string): Promise<SagaSummary>;
}

/** Creates the service over the store, with the declared sagas for the steps' labels. */
export function createSagaService(options: {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly definitions: readonly SagaDefinition[];
  readonly now?: () => Date;
}): SagaService {
  const repo = sagaRepository(options.store);
  const now = options.now ?? (() => new Date());
  const operatorLog = createOperatorLog(options.store, options.keyRing, now);
  const byName = new Map(options.definitions.map((definition) => [definition.name, definition]));

  function summaryOf(saga: SagaRow): SagaSummary {
    const definition = byName.get(saga.kind);
    const step = definition?.steps[saga.stepIndex];
    return {
      correlationId: saga.correlationId,
      saga: saga.kind,
      route: definition?.route ?? null,
      state: saga.state,
      overdue: saga.overdue,
      stepNo: Math.min(saga.stepIndex + 1, definition?.steps.length ?? saga.stepIndex + 1),
      steps: definition?.steps.length ?? 0,
      stepId: step?.id ?? null,
      stepLabel: step?.label ?? null,
      system: step?.system ?? null,
      waitingFor: saga.state === 'WAITING' ? (step?.awaits ?? saga.waitingFor) : null,
      dueOn: saga.dueOn,
      attempts: saga.attempts,
      errorEn: saga.errorEn === null ? null : maskText(saga.errorEn),
      errorJa: saga.errorJa === null ? null : maskText(saga.errorJa),
      closedReason: saga.closedReason === null ? null : maskText(saga.closedReason),
      createdAt: saga.createdAt.toISOString(),
      updatedAt: saga.updatedAt.toISOString(),
    };
  }
  async function found(correlationId: string): Promise<SagaRow> {
    const saga = await repo.get(correlationId);
    if (saga === undefined)
      throw new SagaRefusal(`no saga ${correlationId}`, `サガ ${correlationId} はありません`, 404);
    return saga;
  }
  function mayAct(actor: SagaActor): void {
    if (actor.role === 'auditor')
      throw new SagaRefusal(
        'an auditor may look but not act on sagas',
        '監査者はサガを参照できますが操作はできません',
        403,
      );
  }
  return {
    async list(listOptions) {
      return (await repo.list(listOptions)).map(summaryOf);
    },
    async show(correlationId) {
      const saga = await found(correlationId);
      const done = new Map((await repo.steps(saga.id)).map((row) => [row.stepIndex, row]));
      const steps = (byName.get(saga.kind)?.steps ?? []).map((step, index): SagaStepView => {
        const row = done.get(index);
        return {
          no: index + 1,
          id: step.id,
          label: step.label,
          system: step.system,
          state: row !== undefined ? 'DONE' : index === saga.stepIndex ? 'CURRENT' : 'PENDING',
          doneAt: row?.doneAt.toISOString() ?? null,
          attempts: row?.attempts ?? null,
        };
      });
      return { summary: summaryOf(saga), steps, input: maskValue(saga.input) };
    },
    async retry(correlationId, actor, reason) {
      mayAct(actor);
      const saga = await found(correlationId);
      if (!(await repo.retry(correlationId, now())))
        throw new SagaRefusal(
          `saga ${correlationId} is ${saga.state}: only a FAILED case is retried`,
          `サガ ${correlationId} は ${saga.state} です。再実行できるのは FAILED の案件だけです`,
          409,
        );
      await operatorLog.append({
        actor: actor.name,
        role: actor.role,
        action: 'saga.retry',
        target: correlationId,
        reason: reason ?? null,
        detail: { saga: saga.kind, stepIndex: saga.stepIndex },
      });
      return summaryOf(await found(correlationId));
    },
    async close(correlationId, actor, reason) {
      mayAct(actor);
      if (reason.trim() === '')
        throw new SagaRefusal(
          'closing a case needs a reason (--reason)',
          '案件を閉じるには理由（--reason）が必要です',
          400,
        );
      const saga = await found(correlationId);
      if (!(await repo.close(correlationId, reason, now())))
        throw new SagaRefusal(
          `saga ${correlationId} is ${saga.state}: only an open case is closed`,
          `サガ ${correlationId} は ${saga.state} です。閉じられるのは未完了の案件だけです`,
          409,
        );
      await operatorLog.append({
        actor: actor.name,
        role: actor.role,
        action: 'saga.close',
        target: correlationId,
        reason,
        detail: { saga: saga.kind, stepIndex: saga.stepIndex, state: saga.state },
      });
      return summaryOf(await found(correlationId));
    },
  };
}
