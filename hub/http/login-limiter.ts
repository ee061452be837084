/**
 * Sign-in rate limits, shared by HTTP Basic on the API and the editor's login (one budget, whichever
 * door is used). Two token buckets, both taken before the password is checked (so a burst of parallel
 * attempts cannot start more checks than the budget) and given back when the password was right:
 *
 * - per client (IP address, IPv6 by /64): a few attempts, then one more every few seconds. This stops
 *   one attacker long before the per-user limit, so one client's failures never lock out the user;
 * - per user name (known or not, so the answer tells nothing about which names exist): a larger budget
 *   that only many clients together exhaust (a distributed guess). It refills continuously, so it never
 *   denies the right password for longer than one refill step, and a client that signed in as that
 *   user recently (a "known device") is not held by it at all.
 *
 * Counters live in this process (per replica): see docs/architecture.md "Sign-in rate limits".
 */

/** The limits; every field has a default (see `defaultLoginLimits`). */
export interface LoginLimits {
  /** Attempts a client may make at once before it is slowed down. */
  readonly clientBurst: number;
  /** One more attempt per client after this many milliseconds. */
  readonly clientRefillMs: number;
  /** Attempts on one user name, from clients not known for it, before they are slowed down. */
  readonly userBurst: number;
  /** One more attempt on a user name after this many milliseconds. */
  readonly userRefillMs: number;
  /** How long a successful sign-in makes the client known for that user. */
  readonly knownClientMs: number;
  /** Largest number of clients, users and known pairs remembered (oldest forgotten first). */
  readonly maxEntries: number;
}

export const defaultLoginLimits: LoginLimits = {
  clientBurst: 10,
  clientRefillMs: 6_000,
  userBurst: 50,
  userRefillMs: 30_000,
  knownClientMs: 24 * 60 * 60 * 1000,
  maxEntries: 10_000,
};

/** Whether an attempt may go on to the password check. */
export type LoginAdmission =
  | { readonly allowed: true; readonly ticket: LoginTicket }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly by: 'client' | 'user' };

/** An admitted attempt: report how it ended. */
export interface LoginTicket {
  /** The password was right: the attempt's tokens are given back and the client becomes known. */
  succeeded(): void;
  /** The password was wrong (nothing to do: the tokens stay spent). */
  failed(): void;
  /** The check could not be made (busy, store error): the tokens are given back. */
  abandoned(): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A bounded map that forgets its oldest entries first. */
class BoundedMap<V> extends Map<string, V> {
  private readonly max: number;

  constructor(max: number) {
    super();
    this.max = max;
  }

  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next();
      if (oldest.done !== true) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

/** The key of a client address: IPv4 as is, IPv6 by its /64 network (one host owns a /64). */
export function clientKeyOf(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The per-process sign-in limiter. */
export class LoginLimiter {
  readonly limits: LoginLimits;
  private readonly clients: BoundedMap<Bucket>;
  private readonly users: BoundedMap<Bucket>;
  private readonly known: BoundedMap<number>;
  private readonly now: () => number;

  constructor(limits: Partial<LoginLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...defaultLoginLimits, ...limits };
    this.clients = new BoundedMap(this.limits.maxEntries);
    this.users = new BoundedMap(this.limits.maxEntries);
    this.known = new BoundedMap(this.limits.maxEntries);
    this.now = now;
  }

  /** Takes one attempt of `client` on `username`, or says how long to wait. */
  admit(client: string, username: string): LoginAdmission {
    const now = this.now();
    const user = username.toLowerCase().slice(0, 128);
    const pair = `${user}\n${client}`;
    const knownUntil = this.known.get(pair);
    const isKnown = knownUntil !== undefined && knownUntil > now;
    if (knownUntil !== undefined && !isKnown) this.known.delete(pair);
    const clientBucket = this.fill(this.clients, client, now, 'client');
    if (clientBucket.tokens < 1) {
      return { allowed: false, by: 'client', retryAfterSeconds: this.wait(clientBucket, 'client') };
    }
    const userBucket = isKnown ? undefined : this.fill(this.users, user, now, 'user');
    if (userBucket !== undefined && userBucket.tokens < 1) {
      return { allowed: false, by: 'user', retryAfterSeconds: this.wait(userBucket, 'user') };
    }
    clientBucket.tokens -= 1;
    if (userBucket !== undefined) userBucket.tokens -= 1;
    let settled = false;
    const giveBack = () => {
      clientBucket.tokens = Math.min(this.limits.clientBurst, clientBucket.tokens + 1);
      if (userBucket !== undefined) {
        userBucket.tokens = Math.min(this.limits.userBurst, userBucket.tokens + 1);
      }
    };
    return {
      allowed: true,
      ticket: {
        succeeded: () => {
          if (settled) return;
          settled = true;
          giveBack();
          this.known.delete(pair);
          this.known.set(pair, this.now() + this.limits.knownClientMs);
        },
        failed: () => {
          settled = true;
        },
        abandoned: () => {
          if (settled) return;
          settled = true;
          giveBack();
        },
      },
    };
  }

  private fill(map: BoundedMap<Bucket>, key: string, now: number, kind: 'client' | 'user'): Bucket {
    const burst = kind === 'client' ? this.limits.clientBurst : this.limits.userBurst;
    const refill = kind === 'client' ? this.limits.clientRefillMs : this.limits.userRefillMs;
    let bucket = map.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      map.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) / refill);
    bucket.at = now;
    return bucket;
  }

  private wait(bucket: Bucket, kind: 'client' | 'user'): number {
    const refill = kind === 'client' ? this.limits.clientRefillMs : this.limits.userRefillMs;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * refill) / 1000));
  }
}
