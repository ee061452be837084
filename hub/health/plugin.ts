/**
 * Health at a glance (issue 24 item 8): gauges `/metrics` reads at each scrape — queue depth and
 * consumer count per step (from the broker: consumers of every replica), open dead letters per route,
 * ingest backlogs per source system, paused systems — and the pause/resume of delivery to a system
 * (`/api/systems`, `hub systems pause|resume`, the editor's "Systems / 連携先" sidebar). Labels are
 * step, route and system names only: never an id or a value of a message.
 */
import express, { type Response, type Router } from 'express';
import { Gauge } from 'prom-client';
import { stepQueueName } from '../broker/index.js';
import { authenticate, principalOf, requireRole, type Credentials } from '../http/auth.js';
import { loggerFor } from '../logger.js';
import { definePlugin, type HubServices } from '../plugin.js';
import { healthCounts } from '../store/health.js';
import { answerRefusal, handle, optionalText } from '../dead-letters/http.js';
import { OperatorRefusal } from '../dead-letters/service.js';
import { PAUSE_POLL_MS } from './constants.js';
import { createPauseService, type PauseActor, type PauseService } from './pauses.js';

export { PAUSE_POLL_MS } from './constants.js';

const log = loggerFor('health');

/** Registers the health gauges on the hub's registry; they are computed at each scrape. */
export function registerHealthGauges(
  services: Pick<HubServices, 'metrics' | 'broker' | 'engine' | 'store'>,
): void {
  const registers = [services.metrics.registry];
  const { broker, engine, store } = services;
  const depth = new Gauge({
    name: 'hub_step_queue_messages',
    help: 'Messages waiting in a step queue / ステップのキューで待機中のメッセージ数',
    labelNames: ['step', 'system'],
    registers,
    collect: () => refresh(),
  });
  const consumers = new Gauge({
    name: 'hub_step_queue_consumers',
    help: 'Consumers of a step queue, all replicas / ステップのキューの受信者数（全レプリカ）',
    labelNames: ['step', 'system'],
    registers,
    collect: () => refresh(),
  });
  const paused = new Gauge({
    name: 'hub_system_paused',
    help: 'Delivery to the system is paused (1) / 連携先への配送が一時停止中 (1)',
    labelNames: ['system'],
    registers,
    collect: () => refresh(),
  });
  const letters = new Gauge({
    name: 'hub_dead_letters_open',
    help: 'Open dead letters per route / ルート別の未処理デッドレター数',
    labelNames: ['route'],
    registers,
    collect: () => refresh(),
  });
  const backlog = new Gauge({
    name: 'hub_ingest_backlog',
    help: 'Ingest work not yet published (outbox rows, unfinished files) / 未発行の取込み',
    labelNames: ['system', 'kind'],
    registers,
    collect: () => refresh(),
  });
  // One read of the broker and one of the store per scrape, shared by the gauges it feeds (prom-client
  // calls each gauge's collect(); the first call does the work, the others wait for it).
  let pending: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      const steps = engine.steps();
      const systemOf = (name: string) => {
        const step = steps.find((candidate) => candidate.name === name);
        return step?.output.kind === 'deliver' ? step.output.system : '';
      };
      depth.reset();
      consumers.reset();
      if (broker.isConnected()) {
        const stats = await broker
          .queueStats(steps.map((step) => stepQueueName(step.name)))
          .catch((error: unknown) => {
            log.warn(
              { err: error instanceof Error ? error.message : String(error) },
              'queue stats',
            );
            return new Map<string, { messages: number; consumers: number }>();
          });
        for (const step of steps) {
          const found = stats.get(stepQueueName(step.name));
          if (found === undefined) continue;
          const labels = { step: step.name, system: systemOf(step.name) };
          depth.set(labels, found.messages);
          consumers.set(labels, found.consumers);
        }
      }
      paused.reset();
      for (const system of engine.heldSystems()) paused.set({ system }, 1);
      letters.reset();
      backlog.reset();
      try {
        const counts = await healthCounts(store);
        for (const [route, n] of counts.openDeadLetters) letters.set({ route }, n);
        for (const [system, n] of counts.outboxPending) backlog.set({ system, kind: 'outbox' }, n);
        for (const [system, n] of counts.filesInProgress) backlog.set({ system, kind: 'file' }, n);
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'store counts');
      }
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

function actorOf(res: Response): PauseActor {
  const principal = principalOf(res);
  if (principal?.kind !== 'user') {
    throw new OperatorRefusal(
      403,
      'a signed-in person is required',
      '利用者としての認証が必要です',
    );
  }
  return { name: principal.username, role: principal.role };
}

/** `/api/systems`: GET the systems and their pause state; POST `/:system/pause` and `/resume`. */
export function systemsRouter(service: PauseService, credentials: Credentials): Router {
  const router = express.Router();
  router.use(authenticate(credentials));
  router.use(requireRole('operator', 'auditor', 'integrator'));
  router.use(express.json({ limit: '16kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(
    '/',
    handle(async (_req, res) => {
      res.json({ items: await service.list() });
    }),
  );
  router.post(
    '/:system/pause',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const system = String(req.params['system']);
      const changed = await service.pause(
        system,
        actorOf(res),
        optionalText(body['reason'], 'reason'),
      );
      res.json({ system, paused: true, changed });
    }),
  );
  router.post(
    '/:system/resume',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const system = String(req.params['system']);
      const changed = await service.resume(
        system,
        actorOf(res),
        optionalText(body['reason'], 'reason'),
      );
      res.json({ system, paused: false, changed });
    }),
  );
  router.use(answerRefusal);
  return router;
}

/** The pause service of a running hub (the editor's sidebar builds its own over the same store). */
export function pauseServiceOf(
  services: Pick<HubServices, 'store' | 'keyRing' | 'engine'>,
): PauseService {
  return createPauseService({
    store: services.store,
    keyRing: services.keyRing,
    engine: services.engine,
    systems: [...services.engine.pipeline.sinks.keys()],
  });
}

/** The health plugin: gauges, the paused-systems watcher and `/api/systems`. */
export const healthPlugin = definePlugin({
  name: 'health',
  needs: ['metrics', 'broker', 'engine', 'store', 'keyRing', 'app', 'credentials'],
  async start(context) {
    registerHealthGauges(context);
    const service = pauseServiceOf(context);
    // Paused before anything is delivered from a paused system's queues after a (re)start.
    await service.sync();
    let running: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      running ??= service
        .sync()
        .catch((error: unknown) => {
          log.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'could not read the paused systems; keeping the current state',
          );
        })
        .finally(() => {
          running = undefined;
        });
    }, PAUSE_POLL_MS);
    timer.unref();
    context.app.use('/api/systems', systemsRouter(service, context.credentials));
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  },
});
