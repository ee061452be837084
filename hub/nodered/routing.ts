/**
 * The deployed flows: the only source of the hub's routing. `hub start` (editor on or off) reads the
 * flows directory (HUB_FLOWS_DIR), compiles it with the compiler the editor uses, records it when it
 * differs from the last recorded deploy, and runs it; the editor's deploy goes through `deploy` here.
 *
 * A deploy is all or nothing: the flows are linted and compiled, written to the flows directory,
 * recorded in `flow_deploys` (with the queues it retires), and only then does the engine switch. A
 * failure at any point puts back what was already changed — the files from their snapshot, the
 * record deleted, the engine's previous routes (the engine undoes its own switch) — so engine, files
 * and store are all on the previous version, and a restart runs what the last deploy recorded.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Broker } from '../broker/index.js';
import { stepQueueName } from '../broker/index.js';
import { retiredQueuesOf, type Engine } from '../engine/engine.js';
import type { StepSpec } from '../engine/step.js';
import { loggerFor } from '../logger.js';
import {
  flowDeploys,
  FlowsConflictError,
  type DeployHistoryRow,
  type FlowDeploys,
} from '../store/flow-deploys.js';
import type { Store } from '../store/types.js';
import {
  checkFlows,
  formatProblems,
  type CompiledFlows,
  type FlowNode,
  type FlowProblem,
  type LintContext,
} from './flow-model.js';
import {
  diffFlows,
  layoutFlows,
  readFlowsDir,
  renderFlowFile,
  writeFlowsDir,
} from './flows-dir.js';

/** Who receives what, from the catalogue's `x-to` (the systems a type or its transforms reach). */
export interface Recipients {
  /** The systems `x-to` lists for a message type; undefined for a type the catalogue lacks. */
  recipientsOf(messageType: string): readonly string[] | undefined;
  /** Every system the catalogue names (the vocabulary `x-to` is written in). */
  readonly systems: ReadonlySet<string>;
}

/** Recipients from a schema catalogue's infos. */
export function recipientsFrom(
  infos: readonly { messageType: string; from: string; to: readonly string[] }[],
): Recipients {
  const byType = new Map(infos.map((info) => [info.messageType, info.to]));
  const systems = new Set(infos.flatMap((info) => [info.from, ...info.to]));
  return { recipientsOf: (type) => byType.get(type), systems };
}

/**
 * The `x-to` lint: a flow may deliver a message type — or what a chain of its steps makes of it —
 * only to a system that type's schema lists in `x-to`. The schema is the reviewed contract of who
 * may receive the data; a flow that sends it elsewhere is refused instead of silently widening it.
 * Systems outside the catalogue's vocabulary (a test's own sinks) are not judged.
 */
export function recipientProblems(
  steps: readonly StepSpec[],
  nodesOfStep: ReadonlyMap<string, readonly string[]>,
  recipients: Recipients,
): FlowProblem[] {
  const byInput = new Map<string, StepSpec[]>();
  for (const step of steps) {
    for (const type of step.input) byInput.set(type, [...(byInput.get(type) ?? []), step]);
  }
  // Systems a type reaches through the steps, with the step that starts the path.
  const reach = (type: string, seen: Set<string>): Map<string, StepSpec> => {
    const found = new Map<string, StepSpec>();
    if (seen.has(type)) return found;
    seen.add(type);
    for (const step of byInput.get(type) ?? []) {
      if (step.output.kind === 'deliver' && !found.has(step.output.system)) {
        found.set(step.output.system, step);
      } else if (step.output.kind === 'publish') {
        for (const system of reach(step.output.messageType, seen).keys()) {
          if (!found.has(system)) found.set(system, step);
        }
      }
    }
    return found;
  };
  const problems: FlowProblem[] = [];
  for (const type of byInput.keys()) {
    const declared = recipients.recipientsOf(type);
    if (declared === undefined) continue;
    for (const [system, step] of reach(type, new Set())) {
      if (!recipients.systems.has(system) || declared.includes(system)) continue;
      problems.push({
        route: step.route,
        nodeId: nodesOfStep.get(step.name)?.[0] ?? step.name,
        en: `step ${step.name} sends ${type} (or a message made from it) to ${system}, which its schema's x-to does not list (${declared.join(', ')}); add ${system} to x-to in schemas/${type}.json after review, or send it elsewhere`,
        ja: `ステップ ${step.name} は ${type}（またはその変換結果）を ${system} に送りますが、スキーマの x-to（${declared.join('、')}）にありません。確認のうえ schemas/${type}.json の x-to に追加するか、送信先を変えてください`,
      });
    }
  }
  return problems;
}

/** Lint + compile as a deploy does: the flow compiler, then the `x-to` check. */
export function lintFlows(
  flows: readonly FlowNode[],
  context: LintContext,
  recipients?: Recipients,
): CompiledFlows {
  const compiled = checkFlows(flows, context);
  if (compiled.problems.length > 0 || recipients === undefined) return compiled;
  return {
    ...compiled,
    problems: recipientProblems(compiled.steps, compiled.nodesOfStep, recipients),
  };
}

/** Compiles flows, throwing the bilingual reasons when they are refused (code `flows_refused`). */
export function compileOrRefuse(
  flows: readonly FlowNode[],
  context: LintContext,
  recipients?: Recipients,
): { steps: StepSpec[]; nodesOfStep: ReadonlyMap<string, readonly string[]> } {
  const compiled = lintFlows(flows, context, recipients);
  if (compiled.problems.length > 0) {
    throw Object.assign(
      new Error(`Deploy refused / デプロイを拒否しました:\n${formatProblems(compiled.problems)}`),
      { code: 'flows_refused' },
    );
  }
  return compiled;
}

const flowFile = /^\d\d-[a-z0-9-]+\.json$/;

/**
 * Reads the flows a hub runs. A missing directory or one with no flow file refuses the start: a hub
 * running no routes because HUB_FLOWS_DIR was wrong would look healthy and move nothing. A directory
 * with flow files but no affair tab runs no route, on purpose.
 */
export function readDeployedFlows(dir: string): FlowNode[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => flowFile.test(name)) : [];
  if (files.length === 0) {
    throw Object.assign(
      new Error(
        `HUB_FLOWS_DIR ${dir} holds no flows / フローがありません（HUB_FLOWS_DIR を確認してください）`,
      ),
      { code: 'flows_missing' },
    );
  }
  return readFlowsDir(dir);
}

/** The digest of a set of flows as the flows directory stores them (file names and texts). */
export function flowsDigest(flows: readonly FlowNode[]): string {
  const hash = createHash('sha256');
  for (const [file, nodes] of [...layoutFlows(flows)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(file).update('\u0000').update(renderFlowFile(nodes)).update('\u0000');
  }
  return hash.digest('hex');
}

/** The flow files of a directory as they are now, to put back after a failed deploy. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).filter((entry) => flowFile.test(entry))) {
    files.set(name, readFileSync(join(dir, name), 'utf8'));
  }
  return files;
}

function restore(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }
  for (const name of readdirSync(dir).filter((entry) => flowFile.test(entry))) {
    if (!files.has(name)) rmSync(join(dir, name));
  }
}

/** The one-line summary and the per-file diff of node ids a deploy records. */
export function describeDeploy(previous: readonly FlowNode[], flows: readonly FlowNode[]) {
  const changes = diffFlows(previous, flows);
  const summary =
    changes
      .map(
        (change) =>
          `${change.file}: +${String(change.added.length)} ~${String(change.changed.length)} -${String(change.removed.length)}`,
      )
      .join('; ')
      .slice(0, 1000) || 'no change / 変更なし';
  return { summary, diffJson: JSON.stringify(changes) };
}

/** A retired step queue and what it still holds. */
export interface RetiredQueue {
  readonly queue: string;
  readonly retiredAt: Date;
  /** Messages waiting; undefined when the broker could not say (or the queue is gone). */
  readonly messages: number | undefined;
}

/** The bilingual line that reports a non-empty retired queue and how to empty it. */
export function retiredQueueLine(queue: RetiredQueue): string {
  const count = String(queue.messages ?? 0);
  return (
    `retired queue ${queue.queue} holds ${count} message(s): run \`hub flows drain ${queue.queue} --to dead-letters\` or \`--through-routes\`` +
    ` / 廃止したキュー ${queue.queue} に ${count} 件残っています（hub flows drain で移してください）`
  );
}

/** What a deploy did. */
export interface DeployResult {
  /** The flows version (deploy id) this deploy recorded. */
  readonly version: number;
  readonly steps: readonly StepSpec[];
  readonly summary: string;
  /** Queues this deploy retired (unbound; what they hold waits for `hub flows drain`). */
  readonly retiredQueues: readonly string[];
}

/** What a deploy of some flows would change, before it is confirmed (the editor's deploy dialog). */
export interface DeployPreview {
  /** Why it would be refused (empty: it would deploy). */
  readonly problems: readonly FlowProblem[];
  readonly warnings: readonly FlowProblem[];
  /** Engine steps by name: new, gone, and changed (input, conditions, transformer, output …). */
  readonly added: readonly StepSpec[];
  readonly removed: readonly StepSpec[];
  readonly changed: readonly { readonly before: StepSpec; readonly after: StepSpec }[];
}

/** Compares the steps that run with the steps some flows compile to. */
export function stepChanges(
  running: readonly StepSpec[],
  next: readonly StepSpec[],
): Pick<DeployPreview, 'added' | 'removed' | 'changed'> {
  const before = new Map(running.map((step) => [step.name, step]));
  const after = new Map(next.map((step) => [step.name, step]));
  return {
    added: next.filter((step) => !before.has(step.name)),
    removed: running.filter((step) => !after.has(step.name)),
    changed: next.flatMap((step) => {
      const old = before.get(step.name);
      return old !== undefined && JSON.stringify(old) !== JSON.stringify(step)
        ? [{ before: old, after: step }]
        : [];
    }),
  };
}

/** The hub's routing: what runs, how it changes, what it left behind. */
export interface Routing {
  /** Which flow nodes each running step came from (for the editor's live status). */
  nodesOfStep(): ReadonlyMap<string, readonly string[]>;
  /** Lints, writes, records and applies `flows` as one deploy by `actor`; throws (nothing changed). */
  deploy(flows: readonly FlowNode[], actor: string, baseVersion?: number): Promise<DeployResult>;
  /** What deploying `flows` would change, or why it would be refused; changes nothing. */
  preview(flows: readonly FlowNode[]): DeployPreview;
  /** Retired step queues that still exist, with their depth (non-running steps only). */
  retiredQueues(): Promise<RetiredQueue[]>;
  /** Called after each successful deploy. */
  onDeployed(listener: (result: DeployResult) => Promise<void> | void): void;
  /** The flows version (deploy id) this replica runs. */
  version(): number;
  /** The flows this replica runs (what the editor shows). */
  flows(): readonly FlowNode[];
  /**
   * Runs the store's head if it is newer than what runs here (another replica deployed): compiles
   * it, writes the flows directory, switches the engine. Returns the version now running.
   */
  catchUp(): Promise<number>;
  /** Called after this replica switched to a version another replica deployed. */
  onCaughtUp(listener: (version: number) => Promise<void> | void): void;
  /** The deploy history, newest first. */
  history(limit?: number): Promise<DeployHistoryRow[]>;
  /** Deploys the flows an earlier version recorded, as a new version (made on `baseVersion`). */
  rollback(version: number, actor: string, baseVersion?: number): Promise<DeployResult>;
}

/** What the routing uses. */
export interface RoutingDeps {
  readonly flowsDir: string;
  readonly engine: Engine;
  readonly broker: Broker;
  readonly store: Store;
  readonly context: LintContext;
  readonly recipients?: Recipients;
  readonly log?: Logger;
  /** This replica's id, in announcements. */
  readonly replicaId?: string;
}

function stepsOfRecord(json: string | null, context: LintContext): StepSpec[] {
  if (json === null) return [];
  try {
    // The steps an earlier process ran; problems are ignored (the lint may have grown since).
    return checkFlows(JSON.parse(json) as FlowNode[], context).steps;
  } catch {
    return [];
  }
}

/**
 * Starts the routing: reads and compiles the flows directory (refusing the start when it cannot),
 * records it as a deploy by `hub start` when it is not what the last deploy recorded (changed
 * behind the editor's back, e.g. by `git pull`), removes the bindings of steps the last record had
 * and the directory no longer has, and applies the steps to the engine.
 */
export async function startRouting(deps: RoutingDeps): Promise<Routing> {
  const log = deps.log ?? loggerFor('routing');
  const repository: FlowDeploys = flowDeploys(deps.store);
  const listeners: ((result: DeployResult) => Promise<void> | void)[] = [];
  const dirFlows = readDeployedFlows(deps.flowsDir);
  compileOrRefuse(dirFlows, deps.context, deps.recipients);
  const digest = flowsDigest(dirFlows);
  // The store holds the flows every replica runs (issue 22). The directory is their git-friendly
  // copy: the same as the head, nothing to do; an older version (this replica missed deploys), it
  // catches up; never recorded (a `git pull`, a hand edit), it is recorded as a deploy by `hub
  // start` on the head — and announced, so every replica runs it. A conflict (another replica
  // recorded first) reads the head again.
  let flows: FlowNode[];
  let version: number;
  let recordedAtStart = false;
  let previous: StepSpec[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const last = await repository.last();
    const recordedFlows =
      last?.flowsJson == null ? undefined : (JSON.parse(last.flowsJson) as FlowNode[]);
    if (last?.flowsSha256 === digest) {
      version = last.id;
      flows = dirFlows;
      break;
    }
    if (last !== undefined && recordedFlows !== undefined && (await repository.recorded(digest))) {
      log.warn(
        { flowsDir: deps.flowsDir, version: last.id },
        'the flows directory holds an older version; running the store’s head and refreshing the directory / フローディレクトリが古い版のため、ストアの最新版に更新します',
      );
      compileOrRefuse(recordedFlows, deps.context, deps.recipients);
      writeFlowsDir(deps.flowsDir, recordedFlows);
      version = last.id;
      flows = recordedFlows;
      break;
    }
    previous = stepsOfRecord(last?.flowsJson ?? null, deps.context);
    if (last !== undefined) {
      log.warn(
        { flowsDir: deps.flowsDir, lastDeploy: last.id },
        'the flows directory is not what the last deploy recorded; recording it as a deploy by hub start / フローが最後のデプロイ記録と異なるため、起動時のデプロイとして記録します',
      );
    }
    const { summary, diffJson } = describeDeploy(recordedFlows ?? [], dirFlows);
    try {
      version = await repository.record({
        actor: 'hub start',
        summary,
        diffJson,
        flowsSha256: digest,
        flowsJson: JSON.stringify(dirFlows),
        retiredQueues: retiredQueuesOf(previous, compileOrRefuse(dirFlows, deps.context).steps),
        baseVersion: last?.id ?? 0,
      });
    } catch (error) {
      // Several replicas starting at once on new flows: one records, the others read it.
      if (error instanceof FlowsConflictError && attempt < 5) continue;
      throw error;
    }
    flows = dirFlows;
    recordedAtStart = true;
    break;
  }
  const compiled = compileOrRefuse(flows, deps.context, deps.recipients);
  await deps.engine.apply(compiled.steps, { previous });
  if (recordedAtStart)
    await deps.broker
      .announce({ kind: 'flows.deployed', version, replica: deps.replicaId ?? 'hub' })
      .catch(() => undefined);
  let nodesOfStep = compiled.nodesOfStep;
  let running = { version, flows: flows as readonly FlowNode[] };
  const caughtUpListeners: ((version: number) => Promise<void> | void)[] = [];
  log.info(
    { steps: compiled.steps.length, flowsDir: deps.flowsDir, flowsVersion: version },
    'engine runs the flows',
  );

  let deploying: Promise<unknown> = Promise.resolve();
  async function deployNow(
    next: readonly FlowNode[],
    actor: string,
    baseVersion: number | undefined,
  ): Promise<DeployResult> {
    const result = compileOrRefuse(next, deps.context, deps.recipients);
    // Made on what this replica runs unless the caller says which version it edited; either way a
    // deploy recorded meanwhile (here or on another replica) makes this one a conflict.
    const base = baseVersion ?? running.version;
    const before = snapshot(deps.flowsDir);
    const previousFlows = readFlowsDir(deps.flowsDir);
    const retiredQueues = retiredQueuesOf(deps.engine.steps(), result.steps);
    const { summary, diffJson } = describeDeploy(previousFlows, next);
    let recorded: number | undefined;
    try {
      writeFlowsDir(deps.flowsDir, next);
      recorded = await repository.record({
        actor,
        summary,
        diffJson,
        flowsSha256: flowsDigest(next),
        flowsJson: JSON.stringify(next),
        retiredQueues,
        baseVersion: base,
      });
      await deps.engine.apply(result.steps);
    } catch (error) {
      restore(deps.flowsDir, before);
      if (recorded !== undefined) {
        await repository.forget(recorded).catch((forgetError: unknown) => {
          // The files and the engine are back on the previous flows; at the next start the
          // directory differs from this record and is recorded again, so the record heals itself.
          log.error(
            { err: forgetError instanceof Error ? forgetError.message : String(forgetError) },
            'could not remove the record of a failed deploy',
          );
        });
      }
      log.warn(
        { actor, err: error instanceof Error ? error.message : String(error) },
        'deploy failed; the previous flows still run / デプロイに失敗しました（以前のフローのまま）',
      );
      throw error;
    }
    nodesOfStep = result.nodesOfStep;
    running = { version: recorded, flows: next };
    const done: DeployResult = { version: recorded, steps: result.steps, summary, retiredQueues };
    // Every other replica switches too; a replica that misses this catches up at its next check.
    await deps.broker
      .announce({ kind: 'flows.deployed', version: recorded, replica: deps.replicaId ?? 'hub' })
      .catch((error: unknown) => {
        log.warn(
          { err: error instanceof Error ? error.message : String(error), version: recorded },
          'could not announce the deploy; other replicas catch up at their next version check',
        );
      });
    log.info(
      { actor, steps: result.steps.length, summary, retiredQueues, flowsVersion: recorded },
      'flows deployed',
    );
    for (const listener of listeners) {
      try {
        await listener(done);
      } catch (error) {
        log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'after-deploy hook failed',
        );
      }
    }
    return done;
  }

  async function catchUpNow(): Promise<number> {
    const last = await repository.last();
    if (last === undefined || last.id <= running.version || last.flowsJson === null)
      return running.version;
    const next = JSON.parse(last.flowsJson) as FlowNode[];
    let result: ReturnType<typeof compileOrRefuse>;
    try {
      result = compileOrRefuse(next, deps.context, deps.recipients);
    } catch (error) {
      // Another replica accepted it; this one cannot (other connectors?). Keep running, say so.
      log.error(
        { flowsVersion: last.id, err: error instanceof Error ? error.message : String(error) },
        'cannot run the flows another replica deployed; still running the previous version / 他のレプリカがデプロイしたフローを実行できません',
      );
      return running.version;
    }
    await deps.engine.apply(result.steps);
    writeFlowsDir(deps.flowsDir, next);
    nodesOfStep = result.nodesOfStep;
    running = { version: last.id, flows: next };
    log.info(
      { flowsVersion: last.id, actor: last.actor, steps: result.steps.length },
      'running flows another replica deployed / 他のレプリカのデプロイを適用しました',
    );
    for (const listener of caughtUpListeners) {
      try {
        await listener(last.id);
      } catch (error) {
        log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'after-catch-up hook failed',
        );
      }
    }
    return last.id;
  }

  /** One change of the running flows at a time in this process (deploys and catch-ups). */
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const run = deploying.then(work, work);
    deploying = run.catch(() => undefined);
    return run;
  }

  const deployVia = (next: readonly FlowNode[], actor: string, baseVersion?: number) =>
    serially(() => deployNow(next, actor, baseVersion));

  return {
    nodesOfStep: () => nodesOfStep,
    deploy: deployVia,
    version: () => running.version,
    flows: () => running.flows,
    catchUp: () => serially(catchUpNow),
    onCaughtUp(listener) {
      caughtUpListeners.push(listener);
    },
    history: (limit = 50) => repository.history(limit),
    async rollback(version, actor, baseVersion) {
      const row = await repository.flowsOf(version);
      if (row?.flowsJson == null) {
        throw Object.assign(
          new Error(
            `no flows version ${String(version)} (see hub flows history) / フローのバージョン ${String(version)} はありません`,
          ),
          { code: 'flows_version_unknown', status: 404 },
        );
      }
      return deployVia(
        JSON.parse(row.flowsJson) as FlowNode[],
        `${actor} (rollback to ${String(version)})`,
        baseVersion,
      );
    },
    preview(next) {
      const compiled = lintFlows(next, deps.context, deps.recipients);
      return {
        problems: compiled.problems,
        warnings: compiled.warnings,
        ...(compiled.problems.length > 0
          ? { added: [], removed: [], changed: [] }
          : stepChanges(deps.engine.steps(), compiled.steps)),
      };
    },
    async retiredQueues() {
      const running = new Set(deps.engine.steps().map((step) => stepQueueName(step.name)));
      const rows = (await repository.retired()).filter((row) => !running.has(row.queue));
      const out: RetiredQueue[] = [];
      for (const row of rows) {
        let messages: number | undefined;
        try {
          messages = await deps.broker.queueDepth(row.queue);
        } catch {
          messages = undefined;
        }
        out.push({ queue: row.queue, retiredAt: row.retiredAt, messages });
      }
      return out;
    },
    onDeployed(listener) {
      listeners.push(listener);
    },
  };
}
