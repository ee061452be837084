import bcrypt from 'bcryptjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { constantTimeEqual } from '../security/keyed-hash.js';

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

/** Users and tokens, over the store's knex. */
export interface Credentials {
  /** Checks a user's password; undefined when unknown, disabled or wrong. */
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
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A bcrypt hash of a password no one has, so unknown users cost as much time as known ones. */
const decoyHash = bcrypt.hashSync(randomBytes(16).toString('hex'), 10);

interface UserRow {
  readonly username: string;
  readonly password_hash: string;
  readonly role: string;
  readonly disabled: number | boolean;
}

/** The role of a user row that may sign in: enabled, with a role the hub knows. */
function enabledRole(row: UserRow | undefined): Role | undefined {
  if (row === undefined || Boolean(row.disabled)) return undefined;
  return (roles as readonly string[]).includes(row.role) ? (row.role as Role) : undefined;
}

/** Credentials kept in the store. */
export function storeCredentials(knex: Knex, options: { bcryptRounds?: number } = {}): Credentials {
  const rounds = options.bcryptRounds ?? 12;
  const userRow = async (username: string) =>
    (await knex('hub_users').where({ username }).first()) as UserRow | undefined;
  return {
    async verifyUser(username, password) {
      const row = await userRow(username);
      const ok = await bcrypt.compare(password, row?.password_hash ?? decoyHash);
      const role = enabledRole(row);
      return ok && row !== undefined && role !== undefined
        ? { username: row.username, role }
        : undefined;
    },
    async roleOf(username) {
      return enabledRole(await userRow(username));
    },
    async verifyToken(token) {
      const hash = sha256(token);
      const row = (await knex('system_tokens')
        .where({ token_hash: hash })
        .whereNull('revoked_at')
        .first()) as { token_id: string; system: string; token_hash: string } | undefined;
      if (!row || !constantTimeEqual(row.token_hash, hash)) return undefined;
      return { system: row.system, tokenId: row.token_id };
    },
    async addUser(username, password, role) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) {
        throw new RangeError('a user name is 1-64 letters, digits, ".", "_" or "-"');
      }
      if (password.length < 12) throw new RangeError('a password needs at least 12 characters');
      const row = {
        username,
        password_hash: await bcrypt.hash(password, rounds),
        role,
        created_at: new Date(),
        disabled: false,
      };
      await knex('hub_users').insert(row).onConflict('username').merge();
    },
    async addToken(system) {
      const tokenId = randomBytes(6).toString('hex');
      const token = `hub_${tokenId}_${randomBytes(24).toString('base64url')}`;
      await knex('system_tokens').insert({
        token_id: tokenId,
        system,
        token_hash: sha256(token),
        created_at: new Date(),
        revoked_at: null,
      });
      return { tokenId, token };
    },
    async revokeToken(tokenId) {
      const count = await knex('system_tokens')
        .where({ token_id: tokenId })
        .whereNull('revoked_at')
        .update({ revoked_at: new Date() });
      return count > 0;
    },
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
        .verifyUser(decoded.slice(0, colon), decoded.slice(colon + 1))
        .then((user) => {
          attach(user ? { kind: 'user', ...user } : undefined);
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
