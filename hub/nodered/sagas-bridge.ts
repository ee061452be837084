/**
 * The editor's bridge to the saga service, mounted on Node-RED's admin app at `/editor/hub/sagas` for
 * the "Sagas / サガ" sidebar: open cases (overdue first), one case with its steps, and an operator's
 * retry or close (with a reason), acting as the signed-in hub user with their current role. The
 * service's rules apply (auditors look only; actions are written to the operator log). Masked as the
 * dead-letter sidebar is.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { roles } from '../http/auth.js';
import { SagaRefusal, type SagaActor, type SagaService } from '../saga/service.js';

function actorOf(req: Request): SagaActor {
  const user = (req as Request & { user?: { username?: unknown; role?: unknown } }).user;
  const name = typeof user?.username === 'string' ? user.username : undefined;
  const role =
    typeof user?.role === 'string' && (roles as readonly string[]).includes(user.role)
      ? user.role
      : undefined;
  if (name === undefined || role === undefined)
    throw new SagaRefusal(
      'a signed-in hub user is required',
      'ハブの利用者としてのログインが必要です',
      403,
    );
  return { name, role };
}

const idPattern = /^[0-9A-Za-z-]{8,64}$/;

function idOf(req: Request): string {
  const id = req.params['id'] ?? '';
  if (!idPattern.test(id))
    throw new SagaRefusal('not a correlation id', '相関IDではありません', 400);
  return id;
}

type Handler = (req: Request, res: Response) => Promise<void>;
const handle =
  (work: Handler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    work(req, res).catch(next);
  };

/** `GET /` (open cases; `?all=1` with closed and done), `GET /:id`, `POST /:id/retry`, `POST /:id/close`. */
export function sagaBridge(service: SagaService): Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(
    '/',
    handle(async (req, res) => {
      const actor = actorOf(req);
      const items = await service.list({ all: req.query['all'] === '1', limit: 500 });
      res.json({ items, mayAct: actor.role !== 'auditor' });
    }),
  );
  router.get(
    '/:id',
    handle(async (req, res) => {
      actorOf(req);
      res.json(await service.show(idOf(req)));
    }),
  );
  for (const action of ['retry', 'close'] as const) {
    router.post(
      `/:id/${action}`,
      handle(async (req, res) => {
        const actor = actorOf(req);
        const reason = (req.body as { reason?: unknown } | undefined)?.reason;
        if (reason !== undefined && (typeof reason !== 'string' || reason.length > 300))
          throw new SagaRefusal(
            'reason must be text of at most 300 characters',
            '理由は300文字以内の文字列です',
            400,
          );
        const summary =
          action === 'retry'
            ? await service.retry(idOf(req), actor, reason)
            : await service.close(idOf(req), actor, reason ?? '');
        res.json(summary);
      }),
    );
  }
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof SagaRefusal) {
      res.status(error.status).json({ error: { en: error.message, ja: error.ja } });
      return;
    }
    next(error);
  });
  return router;
}
