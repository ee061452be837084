import { redactUrl } from '../config.js';

/** Where the store lives, parsed from `HUB_DB_URL`. */
export type DbTarget =
  | { readonly kind: 'sqlite'; readonly filename: string; readonly display: string }
  | {
      readonly kind: 'mysql';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly database: string;
      /** The URL with its password masked: the only form that reaches messages and logs. */
      readonly display: string;
      /** TLS to the server (CA to trust, optional client certificate); absent = plain TCP. */
      readonly tls?: TlsMaterial | undefined;
    };

/** PEM material for a TLS connection: the CA that signed the server, and a client certificate. */
export interface TlsMaterial {
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/** Parses `sqlite:<file>`, `mysql://…` or `mariadb://…`; throws a message naming the (redacted) URL. */
export function parseDbUrl(dbUrl: string): DbTarget {
  if (dbUrl.startsWith('sqlite:')) {
    // Accept sqlite:///abs/path as well as sqlite:/abs/path.
    const filename = dbUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '')
      throw new Error('Store URL "sqlite:" names no file (sqlite:/path/hub.sqlite)');
    return { kind: 'sqlite', filename, display: `sqlite:${filename}` };
  }
  let url: URL;
  try {
    url = new URL(dbUrl);
  } catch {
    throw new Error('Store URL is neither sqlite:<file> nor mysql://user:pass@host:3306/db');
  }
  const display = redactUrl(dbUrl);
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`Store URL ${display} must start with sqlite:, mysql:// or mariadb://`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // Checked here because the name is interpolated into CREATE DATABASE (quoted, but kept boring anyway).
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(database)) {
    throw new Error(
      `Store URL ${display} must name a database of letters, digits, _ $ or - (mysql://root@127.0.0.1:3306/hub)`,
    );
  }
  return {
    kind: 'mysql',
    host: url.hostname === '' ? '127.0.0.1' : url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database,
    display,
  };
}
