/**
 * A saga as the flows declare it: a tab property (`env` entry `HUB_SAGA`, JSON, shown and edited in
 * the editor's tab properties) naming the case's trigger, its steps in order, the system each step
 * talks to, and for a step that waits for a reply the reply's message type and the business-day
 * limit. The flow declares only names and numbers; what a step does is the hub's own code, looked up
 * by step id (nothing a user supplies runs code).
 */
import type { FlowNode } from '../nodered/flow-model.js';

/** The tab property that declares a saga. */
export const SAGA_ENV = 'HUB_SAGA';

/** One step. */
export interface SagaStepDefinition {
  readonly id: string;
  readonly label: string;
  /** The system the step talks to (SystemId), or HUB for a step inside the hub. */
  readonly system: string;
  /** A step that waits for a reply of this message type (correlated by the case's id). */
  readonly awaits?: string | undefined;
  /** Business days a waited-for reply may take before the case is overdue. */
  readonly limitBusinessDays?: number | undefined;
}

/** One saga. */
export interface SagaDefinition {
  readonly name: string;
  readonly route: string;
  /** The message type that opens a case. */
  readonly trigger: string;
  readonly steps: readonly SagaStepDefinition[];
}

/** A bad declaration: which tab and why (English and Japanese). */
export class SagaDefinitionError extends Error {
  readonly ja: string;
  constructor(en: string, ja: string) {
    super(en);
    this.name = 'SagaDefinitionError';
    this.ja = ja;
  }
}

const idPattern = /^[a-z0-9][a-z0-9.-]{0,63}$/;
const typePattern = /^[a-z0-9][a-z0-9.-]{0,127}$/;

function parseOne(route: string, raw: unknown): SagaDefinition {
  const fail = (en: string, ja: string): never => {
    throw new SagaDefinitionError(`saga of ${route}: ${en}`, `${route} のサガ: ${ja}`);
  };
  if (typeof raw !== 'object' || raw === null)
    fail('not a JSON object', 'JSON オブジェクトではありません');
  const body = raw as Record<string, unknown>;
  const name = body['name'];
  const trigger = body['trigger'];
  const steps = body['steps'];
  if (typeof name !== 'string' || !idPattern.test(name))
    fail('name missing or invalid', 'name がないか不正です');
  if (typeof trigger !== 'string' || !typePattern.test(trigger))
    fail('trigger missing or invalid', 'trigger がないか不正です');
  if (!Array.isArray(steps) || steps.length === 0) fail('steps missing', 'steps がありません');
  const seen = new Set<string>();
  const parsed = (steps as unknown[]).map((step, index): SagaStepDefinition => {
    const entry = (typeof step === 'object' && step !== null ? step : {}) as Record<
      string,
      unknown
    >;
    const { id, label, system, awaits, limitBusinessDays } = entry;
    if (typeof id !== 'string' || !idPattern.test(id) || seen.has(id))
      fail(
        `step ${String(index)}: id missing, invalid or repeated`,
        `手順 ${String(index)}: id がないか不正か重複しています`,
      );
    seen.add(id as string);
    if (typeof label !== 'string' || typeof system !== 'string')
      fail(
        `step ${String(index)}: label and system are required`,
        `手順 ${String(index)}: label と system が必要です`,
      );
    if (awaits !== undefined && (typeof awaits !== 'string' || !typePattern.test(awaits)))
      fail(
        `step ${String(index)}: awaits must be a message type`,
        `手順 ${String(index)}: awaits はメッセージ種別です`,
      );
    if (
      limitBusinessDays !== undefined &&
      (typeof limitBusinessDays !== 'number' ||
        !Number.isInteger(limitBusinessDays) ||
        limitBusinessDays < 1)
    )
      fail(
        `step ${String(index)}: limitBusinessDays must be a whole number ≥ 1`,
        `手順 ${String(index)}: limitBusinessDays は1以上の整数です`,
      );
    return {
      id: id as string,
      label: label as string,
      system: system as string,
      ...(awaits === undefined ? {} : { awaits: awaits as string }),
      ...(limitBusinessDays === undefined
        ? {}
        : { limitBusinessDays: limitBusinessDays as number }),
    };
  });
  return { name: name as string, route, trigger: trigger as string, steps: parsed };
}

/** The sagas the flows declare (tabs with a `HUB_SAGA` property). */
export function sagasOfFlows(flows: readonly FlowNode[]): SagaDefinition[] {
  const found: SagaDefinition[] = [];
  for (const tab of flows) {
    if (tab.type !== 'tab' || tab['disabled'] === true) continue;
    const env = Array.isArray(tab['env']) ? (tab['env'] as unknown[]) : [];
    const entries = env.filter(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        sagaEnvName.test(String((item as { name?: unknown }).name)),
    ) as { value?: unknown }[];
    for (const entry of entries) found.push(parseEntry(tab, entry));
  }
  return found;
}

/** `HUB_SAGA`, or `HUB_SAGA_<SUFFIX>` for a second saga on the same tab. */
const sagaEnvName = /^HUB_SAGA(?:_[A-Z0-9_]{1,32})?$/;

function parseEntry(tab: FlowNode, entry: { value?: unknown }): SagaDefinition {
  const label = typeof tab['label'] === 'string' ? tab['label'] : tab.id;
  const route = label.trim().split(/[\s:：]/)[0] ?? tab.id;
  let raw: unknown;
  try {
    raw = typeof entry.value === 'string' ? (JSON.parse(entry.value) as unknown) : entry.value;
  } catch {
    throw new SagaDefinitionError(
      `saga of ${route}: ${SAGA_ENV} is not JSON`,
      `${route} のサガ: ${SAGA_ENV} が JSON ではありません`,
    );
  }
  return parseOne(route, raw);
}

/** The declaration problems of the flows' sagas, for lint (`hub flows check`, the editor's deploy). */
export function sagaProblems(
  flows: readonly FlowNode[],
): { route: string; nodeId: string; en: string; ja: string }[] {
  const problems: { route: string; nodeId: string; en: string; ja: string }[] = [];
  const names = new Set<string>();
  for (const tab of flows) {
    if (tab.type !== 'tab') continue;
    try {
      for (const saga of sagasOfFlows([tab])) {
        if (names.has(saga.name))
          problems.push({
            route: saga.route,
            nodeId: tab.id,
            en: `saga ${saga.name} is declared twice`,
            ja: `サガ ${saga.name} が二重に宣言されています`,
          });
        names.add(saga.name);
      }
    } catch (error) {
      if (!(error instanceof SagaDefinitionError)) throw error;
      const label = typeof tab['label'] === 'string' ? tab['label'] : tab.id;
      problems.push({
        route: label.trim().split(/[\s:：]/)[0] ?? tab.id,
        nodeId: tab.id,
        en: error.message,
        ja: error.ja,
      });
    }
  }
  return problems;
}
