/**
 * The editor's password sign-in (`POST /editor/auth/token`) goes through the hub's rate-limited
 * sign-in before Node-RED sees it. Node-RED's own limiter counts every attempt per user name from any
 * client and, after 5 in 10 minutes, refuses even the right password for 10 minutes with an HTTP 500:
 * anyone could lock an integrator out. Here a wrong password is answered by the hub (403, the same
 * `invalid_grant` answer Node-RED gives, so the login dialog behaves as before), an attempt over the
 * limits is answered 429 with Retry-After, and only a password the hub has just verified is passed on
 * to Node-RED (one at a time per user name, and only with a scope the role allows), which then
 * issues the token. Each of those succeeds and clears Node-RED's count for that user, so its lockout
 * is never reached; the second check Node-RED makes hits the hub's verified-password memory
 * (hub/http/auth.ts), not bcrypt.
 */
import { createRequire } from 'node:module';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { clientOf, tooManyAttempts, type Credentials, type Role } from '../http/auth.js';
import { loggerFor } from '../logger.js';

const log = loggerFor('editor');

/** Node-RED's own scope check, so the hub refuses exactly the scopes Node-RED would. */
const { hasPermission } = createRequire(import.meta.url)(
  '@node-red/editor-api/lib/auth/permissions',
) as { hasPermission: (userScope: string, permission: string) => boolean };

/** Node-RED permissions of a hub role (as editor.ts `permissionsOf`). */
function permissionsOfRole(role: Role): '*' | 'read' {
  return role === 'integrator' ? '*' : 'read';
}

function fieldOf(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Handlers to mount at `POST <httpAdminRoot>/auth/token` before Node-RED's admin app. */
export function editorLoginGuard(credentials: Credentials): RequestHandler[] {
  // Verified sign-ins of one user name reach Node-RED one at a time: it counts an attempt before it
  // checks and clears the count on success, so six at the same instant would trip its lockout.
  const inFlight = new Map<string, Promise<void>>();
  const oneAtATime = (username: string, res: Response, next: () => void): void => {
    const previous = inFlight.get(username) ?? Promise.resolve();
    let release = (): void => undefined;
    const finished = new Promise<void>((resolve) => {
      release = resolve;
    });
    const mine = previous.then(() => finished);
    inFlight.set(username, mine);
    void mine.then(() => {
      if (inFlight.get(username) === mine) inFlight.delete(username);
    });
    void previous.then(() => {
      if (res.writableEnded || res.destroyed) {
        release();
        return;
      }
      res.once('close', release);
      next();
    });
  };
  const guard: RequestHandler = (req: Request, res: Response, next) => {
    const body: unknown = req.body;
    const username = fieldOf(body, 'username');
    const password = fieldOf(body, 'password');
    // Anything but a password grant is Node-RED's to answer (and to refuse).
    if (fieldOf(body, 'grant_type') !== 'password' || username === undefined) {
      next();
      return;
    }
    credentials
      .signIn(username, password ?? '', clientOf(req))
      .then((result) => {
        if (result.kind === 'limited') {
          log.warn(
            { retryAfterSeconds: result.retryAfterSeconds },
            'エディタのサインインを制限しました / editor sign-in rate-limited',
          );
          tooManyAttempts(res, result.retryAfterSeconds);
          return;
        }
        if (result.kind === 'denied') {
          res.status(403).set('Cache-Control', 'no-store').json({
            error: 'invalid_grant',
            error_description:
              'ユーザー名またはパスワードが違います / Invalid user name or password',
          });
          return;
        }
        const scope = fieldOf(body, 'scope') ?? '';
        if (scope !== '' && !hasPermission(permissionsOfRole(result.role), scope)) {
          // Node-RED would refuse it too, but count it against the user: refused here instead.
          res.status(403).set('Cache-Control', 'no-store').json({
            error: 'invalid_scope',
            error_description:
              '要求された権限がロールを超えています / The requested scope exceeds the role',
          });
          return;
        }
        oneAtATime(username, res, next);
      })
      .catch(next);
  };
  return [
    // Parsed here with small limits; Node-RED's own parsers then see `req.body` already read.
    express.json({ limit: '16kb' }),
    express.urlencoded({ extended: false, limit: '16kb' }),
    guard,
  ];
}
