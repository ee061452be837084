import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  buildTopology,
  EVENTS_EXCHANGE,
  stepQueueName,
  type BindingDeclaration,
  type Broker,
  type Consumer,
  type QueueLimits,
  type StepQueueSpec,
  type Topology,
} from '../broker/index.js';
import { loggerFor } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { Store } from '../store/types.js';
import type { PlanDeps } from './plan.js';
import type { TraceHasher } from './trace-subjects.js';
import { StepRunner, type RunnerDeps } from './runner.js';
import {
  retryDelays,
  retryPolicyOf,
  type EngineTransformer,
  type MessageCatalogue,
  type Sink,
  type StepSpec,
} from './step.js';

export interface EngineOptions {
  readonly broker: Broker;
  readonly store: Store;
  readonly catalogue: MessageCatalogue;
  readonly transformers: ReadonlyMap<string, EngineTransformer>;
  readonly sinks: ReadonlyMap<string, Sink>;
  readonly metrics: HubMetrics;
  readonly hashSubject: (value: string) => string;
  /** Keyed hashes for message tracking by person (issue 24); none stored without it. */
  readonly hashTrace?: TraceHasher | undefined;
  readonly lgCode: string;
  readonly prefetch: number;
  readonly queueLimits?: QueueLimits;
  readonly log?: Logger;
  /** The steps' clock (default the system's); a test fixes it. */
  readonly clock?: (() => Date) | undefined;
  /**
   * Who claims business keys (issue 22): this replica's id and process, and how long a claim holds.
   * Default: a random owner per engine, 15 s.
   */
  readonly claimOwner?: string | undefined;
  readonly claimLeaseMs?: number | undefined;
}

/** Default redeliveries before the broker dead-letters a poison message (3.10 has no default). */
export const DEFAULT_DELIVERY_LIMIT = 10;

/** The running routing engine: one consumer per route step. */
export interface Engine {
  /**
   * Declares the topology for `steps` and swaps the running consumers to match: new steps start,
   * removed or changed steps stop taking messages, finish what they hold, then close. Every
   * hub.events binding the running (or `options.previous`) steps had and `steps` do not is removed
   * at once, so a retired queue takes no new message and can never fill up and refuse a type
   * hub-wide. Messages already in a retired queue stay there (durable) until drained. On failure the
   * previous steps are put back before the error is rethrown.
   */
  apply(steps: readonly StepSpec[], options?: ApplyOptions): Promise<AppliedRoutes>;
  /** The steps running now. */
  steps(): readonly StepSpec[];
  /**
   * What the steps' pipeline runs with (catalogue, transformers, connectors' 個人番号 permissions,
   * 地方公共団体コード, clock): the replay and its dry run plan with exactly these.
   */
  readonly pipeline: PlanDeps;
  /**
   * Holds delivery to these systems (a maintenance window, issue 24): the consumers of the steps
   * delivering to them are cancelled (in-flight messages finish), so their messages wait in the
   * durable step queues; a system no longer named gets its consumers back. Replaces the set.
   */
  holdSystems(systems: ReadonlySet<string>): Promise<void>;
  /** The systems held now. */
  heldSystems(): readonly string[];
  /** Graceful shutdown: stop taking, finish in-flight (or return them after the timeout), flush. */
  stop(timeoutMs: number): Promise<void>;
}

/** Options of `Engine.apply`. */
export interface ApplyOptions {
  /**
   * Steps an earlier hub process ran (the last recorded deploy) that this process never started:
   * their obsolete bindings are removed too.
   */
  readonly previous?: readonly StepSpec[];
}

/** What `Engine.apply` changed. */
export interface AppliedRoutes {
  /** Queues of steps that ran before (or in `previous`) and are not in the new steps. */
  readonly retiredQueues: readonly string[];
}

/** The hub.events bindings of `before` that `after` does not have (what a switch must unbind). */
export function obsoleteBindings(
  before: readonly StepSpec[],
  after: readonly StepSpec[],
): BindingDeclaration[] {
  const key = (binding: BindingDeclaration) => `${binding.queue}\u0000${binding.routingKey}`;
  const events = (steps: readonly StepSpec[]) =>
    topologyFor(steps).bindings.filter((binding) => binding.exchange === EVENTS_EXCHANGE);
  const wanted = new Set(events(after).map(key));
  const seen = new Set<string>();
  return events(before).filter((binding) => {
    const id = key(binding);
    if (wanted.has(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The queues of `before`'s steps that `after` has no step for. */
export function retiredQueuesOf(before: readonly StepSpec[], after: readonly StepSpec[]): string[] {
  const kept = new Set(after.map((step) => stepQueueName(step.name)));
  return [...new Set(before.map((step) => stepQueueName(step.name)))].filter(
    (queue) => !kept.has(queue),
  );
}

interface Running {
  readonly spec: StepSpec;
  readonly consumer: Consumer;
}

/** The topology the given steps need (step queues, wait queues for their retry delays). */
export function topologyFor(steps: readonly StepSpec[], limits?: QueueLimits): Topology {
  const queues: StepQueueSpec[] = steps.map((step) => ({
    queue: stepQueueName(step.name),
    bindingKeys: step.input,
    singleActiveConsumer: step.orderBy !== undefined,
    deliveryLimit: step.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
  }));
  const delays = steps.flatMap((step) => retryDelays(retryPolicyOf(step)));
  return buildTopology(queues, delays, limits);
}

/** Checks step specs before anything runs: names unique, transformers and sinks known. */
export function checkSteps(
  steps: readonly StepSpec[],
  transformers: ReadonlyMap<string, EngineTransformer>,
  sinks: ReadonlyMap<string, Sink>,
): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) problems.push(`step ${step.name}: the name is used twice`);
    names.add(step.name);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(step.name)) problems.push(`step ${step.name}: invalid name`);
    if (step.input.length === 0) problems.push(`step ${step.name}: takes no message type`);
    if (step.transformer !== undefined && !transformers.has(step.transformer)) {
      problems.push(`step ${step.name}: unknown transformer ${step.transformer}`);
    }
    if (step.output.kind === 'deliver' && !sinks.has(step.output.system)) {
      problems.push(`step ${step.name}: no connector for system ${step.output.system}`);
    }
  }
  return problems;
}

function sameSpec(a: StepSpec, b: StepSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Creates the engine; nothing consumes until `apply`. */
export function createEngine(options: EngineOptions): Engine {
  const log = options.log ?? loggerFor('engine');
  const running = new Map<string, Running>();
  let current: readonly StepSpec[] = [];
  let stopped = false;
  let held: ReadonlySet<string> = new Set();
  const isHeld = (step: StepSpec) => step.output.kind === 'deliver' && held.has(step.output.system);
  // Apply and hold run one at a time: both start and stop consumers.
  let serial: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = serial.then(work, work);
    serial = next.catch(() => undefined);
    return next;
  };
  const deps: RunnerDeps = {
    catalogue: options.catalogue,
    transformers: options.transformers,
    sinks: options.sinks,
    get publisher() {
      return options.broker.publisher;
    },
    store: options.store,
    metrics: options.metrics,
    log,
    hashSubject: options.hashSubject,
    hashTrace: options.hashTrace,
    lgCode: options.lgCode,
    clock: options.clock,
    claimOwner: options.claimOwner ?? `engine/${randomUUID()}`,
    claimLeaseMs: options.claimLeaseMs ?? 15_000,
  };

  async function retire(entry: Running, timeoutMs: number): Promise<void> {
    entry.consumer.pause();
    const left = await entry.consumer.drain(timeoutMs);
    if (left > 0) {
      log.warn(
        { step: entry.spec.name, inFlight: left },
        'in-flight messages returned to the queue',
      );
    }
    await entry.consumer.close();
  }

  async function startStep(step: StepSpec): Promise<void> {
    const queue = stepQueueName(step.name);
    const runner = new StepRunner(step, queue, deps);
    const consumer = await options.broker.consume({
      queue,
      prefetch: step.prefetch ?? options.prefetch,
      handler: (delivery) => runner.handle(delivery),
    });
    running.set(step.name, { spec: step, consumer });
  }

  /** Stops the consumers of held systems' steps and starts those of steps no longer held. */
  async function enforceHolds(): Promise<void> {
    for (const [name, entry] of running) {
      if (!isHeld(entry.spec)) continue;
      running.delete(name);
      await retire(entry, 15_000);
      log.info({ step: name }, 'delivery paused: messages wait in the step queue');
    }
    for (const step of current) {
      if (running.has(step.name) || isHeld(step)) continue;
      await startStep(step);
      log.info({ step: step.name }, 'delivery resumed');
    }
  }

  async function switchTo(steps: readonly StepSpec[], earlier: readonly StepSpec[]): Promise<void> {
    await options.broker.declare(topologyFor(steps, options.queueLimits));
    // Unbound at once: from here on no new message reaches a queue no step of `steps` reads.
    await options.broker.unbind(obsoleteBindings(earlier, steps));
    const wanted = new Map(steps.map((step) => [step.name, step]));
    for (const [name, entry] of running) {
      const next = wanted.get(name);
      if (next && sameSpec(next, entry.spec)) continue;
      running.delete(name);
      await retire(entry, 15_000);
    }
    for (const step of steps) {
      if (running.has(step.name) || isHeld(step)) continue;
      await startStep(step);
    }
    current = steps;
    log.info({ steps: steps.length }, 'routes applied');
  }

  async function applySteps(
    steps: readonly StepSpec[],
    applyOptions: ApplyOptions,
  ): Promise<AppliedRoutes> {
    if (stopped) throw new Error('engine is stopped');
    const problems = checkSteps(steps, options.transformers, options.sinks);
    if (problems.length > 0) throw new Error(`routes rejected: ${problems.join('; ')}`);
    const before = current;
    const earlier = [...before, ...(applyOptions.previous ?? [])];
    try {
      await switchTo(steps, earlier);
    } catch (error) {
      // Undo: the previous routes run again (their bindings re-declared, the new ones removed).
      try {
        await switchTo(before, steps);
        log.warn({ steps: before.length }, 'routes not applied; the previous routes run again');
      } catch (undo) {
        log.error(
          { err: undo instanceof Error ? undo.message : String(undo) },
          'routes not applied and the previous routes could not be restored',
        );
      }
      throw error;
    }
    return { retiredQueues: retiredQueuesOf(earlier, steps) };
  }

  return {
    apply(steps, applyOptions = {}) {
      return inTurn(() => applySteps(steps, applyOptions));
    },
    holdSystems(systems) {
      return inTurn(async () => {
        if (stopped) return;
        held = new Set(systems);
        await enforceHolds();
      });
    },
    heldSystems: () => [...held].sort(),
    steps: () => current,
    pipeline: {
      catalogue: options.catalogue,
      transformers: options.transformers,
      sinks: options.sinks,
      lgCode: options.lgCode,
      clock: options.clock,
    },
    async stop(timeoutMs) {
      stopped = true;
      const entries = [...running.values()];
      running.clear();
      // Pause rather than cancel: an ordered step's standby consumer must not start before this one
      // has finished what it holds. Held-back deliveries return to the queue when the channel closes.
      for (const entry of entries) entry.consumer.pause();
      const deadline = Date.now() + timeoutMs;
      for (const entry of entries) {
        const left = await entry.consumer.drain(Math.max(0, deadline - Date.now()));
        if (left > 0)
          log.warn({ step: entry.spec.name, inFlight: left }, 'returned to the queue at shutdown');
      }
      await options.store.outcomes.flush().catch(() => undefined);
      await Promise.all(entries.map((entry) => entry.consumer.close()));
    },
  };
}
