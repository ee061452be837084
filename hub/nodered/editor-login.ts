/**
 * The editor's password sign-in (`POST /editor/auth/token`) goes through the hub's rate-limited
 * sign-in before Node-RED sees it. Node-RED's own limiter counts every attempt per user name from any
 * client and, after 5 in 10 minutes, refuses even the right password for 10 minutes with an HTTP 500:
 * anyone could lock an integrator out. Here a wrong password is answered by the hub (403, the same
 * `invalid_grant` answer Node-RED gives, so the login dialog behaves as before), an attempt over the
 * limits is answered 429 with Retry-After, and only a password the hub has just verified is passed on
 * to Node-RED, which then issues the token. A success clears Node-RED's count for that user, so its
 * lockout is never reached; the second check Node-RED makes hits the hub's verified-password memory
 * (hub/http/auth.ts), not bcrypt.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { clientOf, tooManyAttempts, type Credentials } from '../http/auth.js';
import { loggerFor } from '../logger.js';

const log = loggerFor('editor');

function fieldOf(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Handlers to mount at `POST <httpAdminRoot>/auth/token` before Node-RED's admin app. */
export function editorLoginGuard(credentials: Credentials): RequestHandler[] {
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
            'editor sign-in rate-limited / エディタのサインインを制限しました',
          );
          tooManyAttempts(res, result.retryAfterSeconds);
          return;
        }
        if (result.kind === 'denied') {
          res.status(403).set('Cache-Control', 'no-store').json({
            error: 'invalid_grant',
            error_description:
              'Invalid user name or password / ユーザー名またはパスワードが違います',
          });
          return;
        }
        next();
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
