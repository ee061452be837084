/**
 * `/api/dead-letters`: the CLI's dead-letter commands over HTTP, with the editor's roles. Every role
 * reads masked; operators unmask (with a reason), replay and purge. Errors answer a stable code and a
 * bilingual message, never a payload value.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { authenticate, principalOf, requireRole, type Credentials } from '../http/auth.js';
import { definePlugin, type HubServices } from '../plugin.js';
import { HubError } from '../errors.js';
import { startArchiver } from './archiver.js';
import { maskText } from '../security/mask.js';
import { reasonClasses, type DeadLetterFilter } from '../store/dead-letters.js';
import { summaryOf } from './view.js';
import type { Actor } from './replay.js';
import { createDeadLetterService, OperatorRefusal, type DeadLetterService } from './service.js';

function actorOf(res: Response): Actor {
  const principal = principalOf(res);
  if (principal?.kind !== 'user')
    throw new OperatorRefusal(
      403,
      'a signed-in person is required',
      '利用者としての認証が必要です',
    );
  return { name: principal.username, role: principal.role };
}

/** A 400 refusal with a bilingual reason (shared with the editor's dead-letter bridge). */
export function badRequest(en: string, ja: string): OperatorRefusal {
  return new OperatorRefusal(400, en, ja);
}

/** An optional short text field of a query or body; a 400 refusal when it is anything else. */
export function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 255) {
    throw badRequest(`${name} must be one short text`, `${name} は短い文字列で指定してください`);
  }
  return value;
}

function optionalDate(value: unknown, name: string): Date | undefined {
  const text = optionalText(value, name);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw badRequest(
      `${name} is not a date (ISO 8601)`,
      `${name} は日時（ISO 8601）で指定してください`,
    );
  }
  return date;
}

/** Reads the list filters from a query string or a JSON object (same names as the CLI options). */
export function filterFrom(source: Record<string, unknown>): DeadLetterFilter {
  const reason = optionalText(source['reason'], 'reason');
  if (reason !== undefined && !(reasonClasses as readonly string[]).includes(reason)) {
    throw badRequest(
      `reason must be one of ${reasonClasses.join(', ')}`,
      `reason は ${reasonClasses.join('、')} のいずれかです`,
    );
  }
  const status = optionalText(source['status'], 'status');
  if (status !== undefined && !['open', 'replayed', 'purged', 'all'].includes(status)) {
    throw badRequest(
      'status must be open, replayed, purged or all',
      'status は open、replayed、purged、all のいずれかです',
    );
  }
  const limitText = optionalText(
    typeof source['limit'] === 'number' ? String(source['limit']) : source['limit'],
    'limit',
  );
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw badRequest('limit must be a positive whole number', 'limit は正の整数です');
  }
  return {
    route: optionalText(source['route'], 'route'),
    step: optionalText(source['step'], 'step'),
    messageType: optionalText(source['type'], 'type'),
    reasonClass: reason,
    since: optionalDate(source['since'], 'since'),
    until: optionalDate(source['until'], 'until'),
    correlationId: optionalText(source['correlationId'], 'correlationId'),
    sourceSystem: optionalText(source['source'], 'source'),
    status: status as DeadLetterFilter['status'],
    limit,
  };
}

/** The positive numeric `:id` of the path. */
export function idOf(req: Request): number {
  const id = Number(req.params['id']);
  if (!Number.isInteger(id) || id <= 0)
    throw badRequest('the id is a positive number', 'id は正の整数です');
  return id;
}

/** Wraps an async handler so its errors reach `answerRefusal`. */
export function handle(work: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => {
    work(req, res).catch(next);
  };
}

/**
 * Error handler: a refusal (role, reason, bad request, unknown target) answers its status with a stable
 * code and the bilingual message; anything else goes on to the app's generic error answer.
 */
export function answerRefusal(
  error: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  // Masked: a refusal can name what it refuses (a target, a message type), which can hold a number.
  if (error instanceof OperatorRefusal) {
    res.status(error.status).json({
      error: { code: error.code, message: maskText(`${error.reason.en} / ${error.reason.ja}`) },
    });
    return;
  }
  if (error instanceof HubError && error.code === 'HUB_REPLAY_REFUSED') {
    res.status(400).json({
      error: { code: error.code, message: maskText(`${error.reason.en} / ${error.reason.ja}`) },
    });
    return;
  }
  next(error);
}

/** The router mounted at `/api/dead-letters`. */
export function deadLetterRouter(service: DeadLetterService, credentials: Credentials): Router {
  const router = express.Router();
  router.use(authenticate(credentials));
  router.use(requireRole('operator', 'auditor', 'integrator'));
  router.use(express.json({ limit: '2mb' }));

  router.get(
    '/',
    handle(async (req, res) => {
      const filter = filterFrom(req.query);
      const letters = await service.list(filter);
      res.set('Cache-Control', 'no-store').json({ items: letters.map(summaryOf) });
    }),
  );

  router.get(
    '/counts',
    handle(async (req, res) => {
      const filter = filterFrom(req.query);
      res.set('Cache-Control', 'no-store').json({ counts: await service.counts(filter) });
    }),
  );

  router.get(
    '/:id',
    handle(async (req, res) => {
      const view = await service.show(idOf(req), { actor: actorOf(res) });
      res.set('Cache-Control', 'no-store').json(view);
    }),
  );

  router.post(
    '/:id/unmask',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const reason = typeof body['reason'] === 'string' ? body['reason'] : undefined;
      const view = await service.show(idOf(req), { actor: actorOf(res), unmask: true, reason });
      res.set('Cache-Control', 'no-store').json(view);
    }),
  );

  router.post(
    '/replay',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ids = body['ids'];
      if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)))) {
        throw badRequest('ids must be a list of numbers', 'ids は数値の配列です');
      }
      const filterSource = body['filter'];
      if (ids === undefined && (typeof filterSource !== 'object' || filterSource === null)) {
        throw badRequest('give ids or a filter', 'ids または filter を指定してください');
      }
      const rate = body['rate'];
      if (rate !== undefined && (typeof rate !== 'number' || !(rate > 0))) {
        throw badRequest(
          'rate is messages per second (a positive number)',
          'rate は毎秒の件数（正の数）です',
        );
      }
      const edited = body['body'];
      const report = await service.replay({
        actor: actorOf(res),
        ...(ids === undefined ? {} : { ids: ids as number[] }),
        ...(ids === undefined
          ? { filter: filterFrom(filterSource as Record<string, unknown>) }
          : {}),
        to: optionalText(body['to'], 'to'),
        dryRun: body['dryRun'] === true,
        ratePerSecond: rate,
        reason: optionalText(body['reason'], 'reason'),
        again: body['again'] === true,
        ...(edited === undefined ? {} : { body: Buffer.from(JSON.stringify(edited), 'utf8') }),
      });
      res.json(report);
    }),
  );

  router.post(
    '/purge',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const days = body['olderThanDays'];
      if (typeof days !== 'number' || !(days >= 0)) {
        throw badRequest('olderThanDays is a number of days', 'olderThanDays は日数です');
      }
      const before = new Date(Date.now() - days * 86_400_000);
      const ids = await service.purge(
        actorOf(res),
        before,
        `older than ${String(days)} days`,
        filterFrom((body['filter'] ?? {}) as Record<string, unknown>),
        optionalText(body['reason'], 'reason'),
      );
      res.json({ purged: ids.length, ids });
    }),
  );

  router.use(answerRefusal);
  return router;
}

/**
 * The dead-letter service over the running hub's store, key ring, publisher and routes (the same rules
 * for `/api/dead-letters` and the editor's "Dead letters / デッドレター" sidebar).
 */
export function deadLetterServiceOf(
  context: Pick<HubServices, 'config' | 'store' | 'broker' | 'engine' | 'keyRing' | 'catalogue'>,
): DeadLetterService {
  return createDeadLetterService({
    store: context.store,
    keyRing: context.keyRing,
    replay: {
      publisher: context.broker.publisher,
      catalogue: context.catalogue,
      pipeline: context.engine.pipeline,
      steps: () => context.engine.steps(),
    },
  });
}

/** The `dead-letters` plugin: runs the archiver and mounts `/api/dead-letters`. */
export const deadLettersPlugin = definePlugin({
  name: 'dead-letters',
  needs: ['config', 'store', 'broker', 'engine', 'keyRing', 'catalogue', 'app', 'credentials'],
  async start(context) {
    const service = deadLetterServiceOf(context);
    const archiver = await startArchiver({
      broker: context.broker,
      repository: service.repository,
    });
    context.app.use('/api/dead-letters', deadLetterRouter(service, context.credentials));
    return {
      async stop() {
        await archiver.stop();
      },
    };
  },
});
