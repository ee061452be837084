import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../security/keyed-hash.js';
import {
  PasswordQueueFullError,
  sharedPasswordPool,
  type PasswordHasher,
} from '../security/passwords.js';
import { passwordProblem } from '../security/password-policy.js';
import {
  tokens as tokenRows,
  users as userRows,
  type UserRow,
  type UserSummary,
} from '../store/users.js';
import type { Store } from '../store/types.js';
import { clientKeyOf, LoginLimiter, type LoginLimits } from './login-limiter.js';

/**
 * Authentication and roles for every HTTP route but /healthz, /readyz and /metrics.
 * People (editor users, operators, auditors) sign in with HTTP Basic against `hub_users` (bcrypt);
 * legacy systems use a per-system bearer token (`system_tokens`, stored as SHA-256 only).
 */

/** The roles of the editor issue: integrators change flows, operators handle dead letters, auditors read. */
export const roles = ['integrator', 'operator', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Who made a request. */
export type Principal =
  | { readonly kind: 'user'; readonly username: string; readonly role: Role }
  | { readonly kind: 'system'; readonly system: string; readonly tokenId: string };

/** Express locals key under which the principal is kept. */
const principalKey = 'hubPrincipal';

/** The principal `authenticate` attached to the request, if any. */
export function principalOf(res: Response): Principal | undefined {
  return (res.locals as Record<string, unknown>)[principalKey] as Principal | undefined;
}

/** The end of a rate-limited sign-in. */
export type SignInResult =
  | { readonly kind: 'user'; readonly username: string; readonly role: Role }
  | { readonly kind: 'denied' }
  | { readonly kind: 'limited'; readonly retryAfterSeconds: number };

/** Users and tokens, kept in the store. */
export interface Credentials {
  /**
   * A sign-in by a person from `client` (its IP address): rate-limited per client and per user
   * (hub/http/login-limiter.ts) before the password is checked. Every password door uses this.
   */
  signIn(username: string, password: string, client: string): Promise<SignInResult>;
  /** Checks a user's password without rate limits; undefined when unknown, disabled or wrong. */
  verifyUser(
    username: string,
    password: string,
  ): Promise<{ username: string; role: Role } | undefined>;
  /** The current role of an enabled user; undefined when unknown or disabled. */
  roleOf(username: string): Promise<Role | undefined>;
  /** Resolves a bearer token to its system; undefined when unknown or revoked. */
  verifyToken(token: string): Promise<{ system: string; tokenId: string } | undefined>;
  /** Creates or replaces a user (`hub users add`). */
  addUser(username: string, password: string, role: Role): Promise<void>;
  /** Issues a token for a system (`hub tokens add`); the token is returned once and never stored. */
  addToken(system: string): Promise<{ tokenId: string; token: string }>;
  /** Revokes a token by id. */
  revokeToken(tokenId: string): Promise<boolean>;
  /** Every user: name, role, whether disabled, when created (no hashes). */
  listUsers(): Promise<UserSummary[]>;
  /** Disables (or enables again) a user; false when there is no such user. Takes effect at once. */
  setUserDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** Removes a user; false when there is no such user. */
  removeUser(username: string): Promise<boolean>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The role of a user row that may sign in: enabled, with a role the hub knows. */
function enabledRole(row: UserRow | undefined): Role | undefined {
  if (row === undefined || Boolean(row.disabled)) return undefined;
  return (roles as readonly string[]).includes(row.role) ? (row.role as Role) : undefined;
}

/** Options of storeCredentials. */
export interface StoreCredentialsOptions {
  /** bcrypt cost of new hashes and of the decoy checked for unknown users (default 12). */
  readonly bcryptRounds?: number;
  /** Where hashing runs (default: the process's worker-thread pool). */
  readonly hasher?: PasswordHasher;
  /** Sign-in rate limits (defaults in login-limiter.ts). */
  readonly limits?: Partial<LoginLimits>;
  /** How long a checked password is remembered so the next request skips bcrypt (default 5 min). */
  readonly verifiedTtlMs?: number;
  /** Told the result of every sign-in (metrics: an attack shows as a rise of limited and denied). */
  readonly onSignIn?: (
    result: 'ok' | 'denied' | 'limited-client' | 'limited-user' | 'busy',
  ) => void;
}

/** Credentials kept in the store. */
export function storeCredentials(store: Store, options: StoreCredentialsOptions = {}): Credentials {
  const users = userRows(store);
  const tokens = tokenRows(store);
  const rounds = options.bcryptRounds ?? 12;
  const hasher = options.hasher ?? sharedPasswordPool();
  const limiter = new LoginLimiter(options.limits);
  const verifiedTtlMs = options.verifiedTtlMs ?? 5 * 60 * 1000;
  // A bcrypt hash of a password no one has, at the cost new users get, checked for unknown users so
  // that they cost as much time as known ones (no user enumeration by timing). Made on first use, on
  // the pool, so importing this module never blocks.
  let decoy: Promise<string> | undefined;
  const decoyHash = (): Promise<string> => {
    decoy ??= hasher.hash(randomBytes(16).toString('hex'), rounds).catch((error: unknown) => {
      decoy = undefined;
      throw error;
    });
    return decoy;
  };
  // Passwords checked recently, as an HMAC under a key of this process over (user, password, stored
  // hash): HTTP Basic sends the password on every request, and bcrypt per request would be the hub's
  // main cost. A changed password (new hash) or a disabled user (checked on each row) ends it at once.
  const cacheKey = randomBytes(32);
  const verified = new Map<string, number>();
  const proof = (username: string, password: string, hash: string) =>
    createHmac('sha256', cacheKey)
      .update(username)
      .update('\0')
      .update(password)
      .update('\0')
      .update(hash)
      .digest('base64');
  const userRow = (username: string) => users.find(username);
  const verifyUser: Credentials['verifyUser'] = async (username, password) => {
    const row = await userRow(username);
    let ok: boolean;
    const mark = row === undefined ? undefined : proof(username, password, row.password_hash);
    const until = mark === undefined ? undefined : verified.get(mark);
    if (mark !== undefined && until !== undefined && until > Date.now()) {
      ok = true;
    } else {
      ok = await hasher.compare(password, row?.password_hash ?? (await decoyHash()));
      if (ok && mark !== undefined) {
        if (verified.size >= 1000) verified.delete(verified.keys().next().value ?? '');
        verified.set(mark, Date.now() + verifiedTtlMs);
      }
    }
    const role = enabledRole(row);
    return ok && row !== undefined && role !== undefined
      ? { username: row.username, role }
      : undefined;
  };
  return {
    async signIn(username, password, client) {
      const told = options.onSignIn ?? (() => undefined);
      const admission = limiter.admit(client, username);
      if (!admission.allowed) {
        told(admission.by === 'client' ? 'limited-client' : 'limited-user');
        return { kind: 'limited', retryAfterSeconds: admission.retryAfterSeconds };
      }
      let user;
      try {
        user = await verifyUser(username, password);
      } catch (error) {
        admission.ticket.abandoned();
        if (error instanceof PasswordQueueFullError) {
          told('busy');
          return { kind: 'limited', retryAfterSeconds: 1 };
        }
        throw error;
      }
      if (user === undefined) {
        admission.ticket.failed();
        told('denied');
        return { kind: 'denied' };
      }
      admission.ticket.succeeded();
      told('ok');
      return { kind: 'user', ...user };
    },
    verifyUser,
    async roleOf(username) {
      return enabledRole(await userRow(username));
    },
    async verifyToken(token) {
      const hash = sha256(token);
      const row = await tokens.findActive(hash);
      if (!row || !constantTimeEqual(row.token_hash, hash)) return undefined;
      return { system: row.system, tokenId: row.token_id };
    },
    async addUser(username, password, role) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) {
        throw new RangeError(
          'a user name is 1-64 letters, digits, ".", "_" or "-" / 利用者名は英数字と . _ - の 1〜64 文字です',
        );
      }
      const problem = passwordProblem(username, password);
      if (problem !== undefined) throw new RangeError(`${problem.en} / ${problem.ja}`);
      await users.upsert({ username, passwordHash: await hasher.hash(password, rounds), role });
    },
    async addToken(system) {
      const tokenId = randomBytes(6).toString('hex');
      const token = `hub_${tokenId}_${randomBytes(24).toString('base64url')}`;
      await tokens.insert({ tokenId, system, tokenHash: sha256(token) });
      return { tokenId, token };
    },
    async revokeToken(tokenId) {
      return tokens.revoke(tokenId);
    },
    listUsers: () => users.list(),
    setUserDisabled: (username, disabled) => users.setDisabled(username, disabled),
    removeUser: (username) => users.remove(username),
  };
}

function unauthorized(res: Response): void {
  res
    .status(401)
    .set('WWW-Authenticate', 'Basic realm="juki-hub", charset="UTF-8", Bearer realm="juki-hub"')
    .json({
      error: {
        code: 'unauthorized',
        message: 'Sign in (HTTP Basic) or send a system token (Bearer) / 認証が必要です',
      },
    });
}

/** 429 for a sign-in over its rate limit: when to retry, in both languages; never a 500. */
export function tooManyAttempts(res: Response, retryAfterSeconds: number): void {
  const seconds = String(retryAfterSeconds);
  res
    .status(429)
    .set('Retry-After', seconds)
    .set('Cache-Control', 'no-store')
    .json({
      error: {
        code: 'too_many_attempts',
        message: `Too many sign-in attempts; retry in ${seconds} s / サインインの試行が多すぎます。${seconds} 秒後に再試行してください`,
      },
    });
}

/** The rate-limit key of the client that sent `req` (its address, as express's trust proxy sees it). */
export function clientOf(req: Request): string {
  return clientKeyOf(req.ip ?? req.socket.remoteAddress);
}

function forbidden(res: Response, what: string): void {
  res.status(403).json({
    error: {
      code: 'forbidden',
      message: `Not allowed: ${what} / この操作は許可されていません（${what}）`,
    },
  });
}

/** Reads the Authorization header; attaches the principal, or answers 401. Never logs credentials. */
export function authenticate(credentials: Credentials): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const [scheme = '', value = ''] = header.split(' ', 2);
    const attach = (principal: Principal | undefined) => {
      if (!principal) {
        unauthorized(res);
        return;
      }
      (res.locals as Record<string, unknown>)[principalKey] = principal;
      next();
    };
    if (/^basic$/i.test(scheme) && value !== '') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        unauthorized(res);
        return;
      }
      credentials
        .signIn(decoded.slice(0, colon), decoded.slice(colon + 1), clientOf(req))
        .then((result) => {
          if (result.kind === 'limited') {
            tooManyAttempts(res, result.retryAfterSeconds);
            return;
          }
          attach(
            result.kind === 'user'
              ? { kind: 'user', username: result.username, role: result.role }
              : undefined,
          );
        })
        .catch(next);
      return;
    }
    if (/^bearer$/i.test(scheme) && value !== '') {
      credentials
        .verifyToken(value)
        .then((system) => {
          attach(system ? { kind: 'system', ...system } : undefined);
        })
        .catch(next);
      return;
    }
    unauthorized(res);
  };
}

/** Allows only signed-in people with one of `allowed` roles (after `authenticate`). */
export function requireRole(...allowed: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal) {
      unauthorized(res);
      return;
    }
    if (principal.kind !== 'user' || !allowed.includes(principal.role)) {
      forbidden(res, `role ${allowed.join(' or ')} required`);
      return;
    }
    next();
  };
}

/** Allows only a system token (ingest), optionally only for the given systems. */
export function requireSystem(allowedSystems?: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal) {
      unauthorized(res);
      return;
    }
    if (principal.kind !== 'system') {
      forbidden(res, 'a system token is required');
      return;
    }
    if (allowedSystems && !allowedSystems.includes(principal.system)) {
      forbidden(res, `system ${principal.system}`);
      return;
    }
    next();
  };
}
