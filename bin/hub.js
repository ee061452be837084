#!/usr/bin/env node
// The `hub` command (package bin). Runs the TypeScript sources directly through tsx, so a fresh clone
// needs no build step. Exit codes: 0 ok, 1 failed, 2 wrong configuration or usage, 3 not built yet.
/* global process, URL */
import { register } from 'tsx/esm/api';

register();

const cli = new URL('../hub/cli/index.ts', import.meta.url);
const { run } = await import(cli.href);
const code = await run(process.argv.slice(2));
// `null` means a long-running command (`hub start`): it owns the process and exits on its own.
if (code !== null) process.exit(code);
