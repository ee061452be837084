// What `npm run build` compiles and what bin/hub.js checks a build against: the folders tsconfig.json
// includes minus those tsconfig.build.json excludes, and one fingerprint of their contents. Plain
// JavaScript with no dependency, so it runs where only the production dependencies are installed.
/* global process */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A test file: never compiled into dist/, so changing one does not make a build stale. */
export const testFile = /\.test\.[cm]?[jt]s$/;

/** package.json or a tsconfig file (plain JSON: the project writes its tsconfig without comments). */
function readJson(root, name) {
  return JSON.parse(readFileSync(join(root, name), 'utf8'));
}

/** The top-level folders the build compiles (tsconfig.json's `include` less the build's `exclude`). */
export function sourceFolders(root) {
  const included = readJson(root, 'tsconfig.json').include ?? [];
  const excluded = new Set(readJson(root, 'tsconfig.build.json').exclude ?? []);
  return included.filter((folder) => !excluded.has(folder) && existsSync(join(root, folder)));
}

/** Every file under the source folders, as sorted paths relative to `root` with `/` separators. */
export function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !testFile.test(entry.name)) files.push(path);
    }
  };
  for (const folder of sourceFolders(root)) walk(join(root, folder));
  return files.map((path) => relative(root, path).split(sep).join('/')).sort();
}

/**
 * One SHA-256 over the names and contents of the source files and the two tsconfig files: equal
 * fingerprints mean dist/ was built from exactly these sources (file times are not used: a copy or a
 * checkout changes them).
 */
export function sourceFingerprint(root) {
  const hash = createHash('sha256');
  for (const path of ['tsconfig.json', 'tsconfig.build.json', ...sourceFiles(root)]) {
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(root, path)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** The record `npm run build` leaves in dist/build.json. */
export const buildRecord = 'build.json';

/** Exits with a bilingual line when this Node.js is older than package.json's `engines.node` (">=N"). */
export function requireNode(root) {
  const engines = readJson(root, 'package.json').engines?.node ?? '';
  const minimumMajor = Number(/^>=\s*(\d+)/.exec(engines)?.[1] ?? 0);
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= minimumMajor) return;
  process.stderr.write(
    `hub: Node.js ${String(minimumMajor)} or later is needed, this is ${process.version} ` +
      `(${process.execPath}). Run the hub through npm (npm start, npm test, npx hub …), which uses ` +
      `the Node.js ${String(minimumMajor)} installed by npm install into node_modules/.bin, or install ` +
      `Node.js ${String(minimumMajor)}. / Node.js ${String(minimumMajor)} 以上が必要です（現在 ` +
      `${process.version}）。npm start・npm test・npx hub で実行すると npm install が入れた Node.js ` +
      `${String(minimumMajor)} を使います。\n`,
  );
  process.exit(2);
}
