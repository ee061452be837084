#!/usr/bin/env node
// `npm run build`: a dist/ that runs with the production dependencies alone (no tsx, no TypeScript).
// 1. tsc compiles the source folders (tsconfig.build.json) into dist/, mirroring the tree;
// 2. every other file of those folders (schema and fixture JSON, the Node-RED node and plugin files,
//    the SQLite writer's worker script, …) is copied beside the compiled code, so whatever a module
//    finds through import.meta.dirname or new URL(…, import.meta.url) is there too — by rule, not by
//    a list that a new asset would miss;
// 3. dist/package.json carries the name, version and module type the compiled code reads;
// 4. dist/build.json records the sources' fingerprint, which bin/hub.js compares before running dist/.
/* global process, console, URL */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRecord, requireNode, sourceFiles, sourceFingerprint } from './sources.js';

const root = fileURLToPath(new URL('..', import.meta.url));
requireNode(root);
const dist = join(root, 'dist');
const fingerprint = sourceFingerprint(root);

rmSync(dist, { recursive: true, force: true });

const tsc = join(
  dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
  'bin',
  'tsc',
);
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  console.error('build: tsc failed / ビルド失敗: tsc がエラーを報告しました');
  process.exit(compiled.status ?? 1);
}

let copied = 0;
for (const file of sourceFiles(root)) {
  if (/\.[cm]?ts$/.test(file)) continue;
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
  copied += 1;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: pkg.type }, null, 2)}\n`,
);
writeFileSync(
  join(dist, buildRecord),
  `${JSON.stringify({ sources: fingerprint, node: process.version, builtAt: new Date().toISOString() }, null, 2)}\n`,
);
console.log(
  `build: dist/ ready (${String(copied)} files copied beside the compiled code) / ビルド完了`,
);
