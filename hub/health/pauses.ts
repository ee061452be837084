/**
 * Pausing delivery to one system (a maintenance window, issue 24 item 8). The pause lives in the store
 * (`hub_system_pauses`), so every replica honours it: each engine reads the table every few seconds
 * and holds the consumers of the steps delivering to a paused system; the messages wait in the
 * durable step queues and are delivered when the system is resumed. Pausing and resuming are
 * operator actions, recorded in the operator log with their reason.
 */
import { createOperatorLog, type OperatorLog } from '../audit/operator-log.js';
import type { Engine } from '../engine/engine.js';
import { loggerFor } from '../logger.js';
import type { KeyRing } from '../security/keys.js';
import type { Store } from '../store/types.js';
import { systemPausesOf, type SystemPause } from '../store/system-pauses.js';
import { OperatorRefusal } from '../dead-letters/service.js';

/** Who pauses or resumes. */
export interface PauseActor {
  readonly name: string;
  readonly role: string;
}

/** One system as the CLI, API and editor show it. */
export interface SystemState {
  readonly system: string;
  readonly paused: boolean;
  readonly pausedBy: string | null;
  readonly pausedAt: string | null;
  readonly reason: string | null;
  /** Steps delivering to it (in the routes this hub runs). */
  readonly steps: readonly string[];
}

/** What the pause service needs. `engine` is absent in the CLI (the running hubs pick it up). */
export interface PauseServiceDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  /** The systems the hub can deliver to (its connectors). */
  readonly systems: readonly string[];
  readonly engine?: Engine | undefined;
  readonly operatorLog?: OperatorLog;
}

const log = loggerFor('pauses');

function requireOperator(actor: PauseActor): void {
  if (actor.role !== 'operator') {
    throw new OperatorRefusal(
      403,
      'pausing or resuming delivery needs the operator role',
      '配送の一時停止・再開にはオペレーター権限が必要です',
    );
  }
}

/** The pause service over the store (and this hub's engine, when it runs one). */
export function createPauseService(deps: PauseServiceDeps) {
  const pauses = systemPausesOf(deps.store);
  const operatorLog = deps.operatorLog ?? createOperatorLog(deps.store, deps.keyRing);
  const known = new Set(deps.systems);

  function checkSystem(system: string): void {
    if (!known.has(system)) {
      throw new OperatorRefusal(
        404,
        `no system named ${system.slice(0, 64)} (known: ${[...known].sort().join(', ')})`,
        `連携先 ${system.slice(0, 64)} はありません（${[...known].sort().join('、')}）`,
      );
    }
  }

  function checkReason(reason: string | undefined): string {
    if (reason === undefined || reason.trim().length < 4 || reason.length > 255) {
      throw new OperatorRefusal(
        400,
        'a pause needs a reason (4 to 255 characters); it is recorded',
        '一時停止には理由（4〜255 文字）が必要です。理由は記録されます',
      );
    }
    return reason.trim();
  }

  /** Makes this hub's engine hold exactly the paused systems. */
  async function sync(): Promise<readonly SystemPause[]> {
    const paused = await pauses.list();
    if (deps.engine !== undefined) {
      const wanted = new Set(paused.map((entry) => entry.system));
      const now = deps.engine.heldSystems();
      if (now.length !== wanted.size || now.some((system) => !wanted.has(system))) {
        await deps.engine.holdSystems(wanted);
        log.info({ paused: [...wanted].sort() }, 'paused systems changed');
      }
    }
    return paused;
  }

  return {
    sync,

    async list(): Promise<SystemState[]> {
      const paused = new Map((await pauses.list()).map((entry) => [entry.system, entry]));
      const steps = deps.engine?.steps() ?? [];
      return [...new Set([...known, ...paused.keys()])].sort().map((system) => {
        const entry = paused.get(system);
        return {
          system,
          paused: entry !== undefined,
          pausedBy: entry?.pausedBy ?? null,
          pausedAt: entry?.pausedAt.toISOString() ?? null,
          reason: entry?.reason ?? null,
          steps: steps
            .filter((step) => step.output.kind === 'deliver' && step.output.system === system)
            .map((step) => step.name),
        };
      });
    },

    /** Pauses delivery to `system`; false when it was paused already. */
    async pause(system: string, actor: PauseActor, reason: string | undefined): Promise<boolean> {
      requireOperator(actor);
      checkSystem(system);
      const why = checkReason(reason);
      const changed = await pauses.pause(system, actor.name, why);
      if (changed) {
        await operatorLog.append({
          actor: actor.name,
          role: actor.role,
          action: 'systems.pause',
          target: `system:${system}`,
          reason: why,
        });
      }
      await sync();
      return changed;
    },

    /** Resumes delivery to `system`; false when it was not paused. */
    async resume(system: string, actor: PauseActor, reason?: string): Promise<boolean> {
      requireOperator(actor);
      const changed = await pauses.resume(system);
      if (changed) {
        await operatorLog.append({
          actor: actor.name,
          role: actor.role,
          action: 'systems.resume',
          target: `system:${system}`,
          reason: reason ?? null,
        });
      }
      await sync();
      return changed;
    },
  };
}

/** The service created by `createPauseService`. */
export type PauseService = ReturnType<typeof createPauseService>;
