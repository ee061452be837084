#!/usr/bin/env node
// The `hub` command (package bin). It runs the compiled JavaScript in dist/ (`npm run build`) when that
// build matches the sources beside it, or when there are no sources (a production copy). Otherwise, in
// a development install, it runs the TypeScript sources through tsx (a development dependency), so a
// fresh clone needs no build step and an edited source is never shadowed by an older build.
// Exit codes: 0 ok, 1 failed, 2 wrong configuration or usage, 3 not built yet.
/* global process, URL */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildRecord, requireNode, sourceFingerprint } from './sources.js';

const root = fileURLToPath(new URL('..', import.meta.url));
requireNode(root);

const compiled = new URL('../dist/hub/cli/index.js', import.meta.url);
const source = new URL('../hub/cli/index.ts', import.meta.url);

/** Why dist/ cannot be run, or undefined when it can. */
function distProblem() {
  if (!existsSync(compiled)) return 'dist/ is missing / dist/ がありません';
  if (!existsSync(source)) return undefined;
  const record = new URL(`../dist/${buildRecord}`, import.meta.url);
  const built = existsSync(record) ? JSON.parse(readFileSync(record, 'utf8')).sources : undefined;
  return built === sourceFingerprint(root)
    ? undefined
    : 'dist/ was built from other sources / dist/ は現在のソースからビルドされていません';
}

async function tsxInstalled() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw error;
  }
}

const problem = distProblem();
let cli;
if (problem === undefined) {
  process.setSourceMapsEnabled(true);
  cli = compiled;
} else if (existsSync(source) && (await tsxInstalled())) {
  cli = source;
} else {
  process.stderr.write(
    `hub: ${problem}, and tsx (a development dependency) is not installed: run \`npm run build\` ` +
      'in a development install (npm ci) and deploy its dist/ / ' +
      '開発用のインストール（npm ci）で npm run build を実行し、その dist/ を配置してください\n',
  );
  process.exit(3);
}

const { run } = await import(cli.href);
const code = await run(process.argv.slice(2));
// `null` means a long-running command (`hub start`): it owns the process and exits on its own.
if (code !== null) process.exit(code);
