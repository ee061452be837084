/**
 * People and systems the hub lets in: `hub_users` (bcrypt hashes) and `system_tokens` (SHA-256 of
 * each token only). Hashing, verification and rate limits are the HTTP auth module's; these are the
 * rows.
 */
import { readDate } from './index.js';
import type { Store } from './types.js';

/** One user as stored. */
export interface UserRow {
  readonly username: string;
  readonly password_hash: string;
  readonly role: string;
  readonly disabled: number | boolean;
}

/** A user as `hub users list` shows it (never the hash). */
export interface UserSummary {
  readonly username: string;
  readonly role: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

/** A user to create or replace. */
export interface NewUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: string;
}

/** One unrevoked token as stored. */
export interface TokenRow {
  readonly token_id: string;
  readonly system: string;
  readonly token_hash: string;
}

/** The users repository. */
export interface Users {
  find(username: string): Promise<UserRow | undefined>;
  /** Creates the user, or replaces the password hash and role of the one with that name. */
  upsert(user: NewUser): Promise<void>;
  /** Every user by name. */
  list(): Promise<UserSummary[]>;
  /** Sets the disabled flag; false when there is no such user. */
  setDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** Deletes the user; false when there is no such user. */
  remove(username: string): Promise<boolean>;
}

/** The system-token repository. */
export interface Tokens {
  /** The unrevoked token with this hash. */
  findActive(tokenHash: string): Promise<TokenRow | undefined>;
  insert(token: { tokenId: string; system: string; tokenHash: string }): Promise<void>;
  /** Revokes the token; false when there is no unrevoked token with that id. */
  revoke(tokenId: string): Promise<boolean>;
}

/** The users repository over the store. */
export function users(store: Store): Users {
  const { knex } = store;
  return {
    async find(username) {
      return (await knex('hub_users').where({ username }).first()) as UserRow | undefined;
    },
    async upsert(user) {
      const row = {
        username: user.username,
        password_hash: user.passwordHash,
        role: user.role,
        created_at: new Date(),
        disabled: false,
      };
      await knex('hub_users').insert(row).onConflict('username').merge();
    },
    async list() {
      const rows = (await knex('hub_users')
        .select('username', 'role', 'disabled', 'created_at')
        .orderBy('username')) as {
        username: string;
        role: string;
        disabled: number | boolean;
        created_at: Date | string | number;
      }[];
      return rows.map((row) => ({
        username: row.username,
        role: row.role,
        disabled: Boolean(row.disabled),
        createdAt: readDate(row.created_at),
      }));
    },
    async setDisabled(username, disabled) {
      return (await knex('hub_users').where({ username }).update({ disabled })) > 0;
    },
    async remove(username) {
      return (await knex('hub_users').where({ username }).delete()) > 0;
    },
  };
}

/** The token repository over the store. */
export function tokens(store: Store): Tokens {
  const { knex } = store;
  return {
    async findActive(tokenHash) {
      return (await knex('system_tokens')
        .where({ token_hash: tokenHash })
        .whereNull('revoked_at')
        .first()) as TokenRow | undefined;
    },
    async insert(token) {
      await knex('system_tokens').insert({
        token_id: token.tokenId,
        system: token.system,
        token_hash: token.tokenHash,
        created_at: new Date(),
        revoked_at: null,
      });
    },
    async revoke(tokenId) {
      const count = await knex('system_tokens')
        .where({ token_id: tokenId })
        .whereNull('revoked_at')
        .update({ revoked_at: new Date() });
      return count > 0;
    },
  };
}
