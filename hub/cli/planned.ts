import type { Command } from 'commander';
import { complain, exitCodes } from './output.js';

/** A command of the public contract that is not built yet, and the issue that brings it. */
export interface PlannedCommand {
  /** Command words, e.g. `['dlq', 'replay']`. */
  readonly path: readonly [string, ...string[]];
  /** Arguments as they will be, shown in `--help`. */
  readonly usage: string;
  readonly en: string;
  readonly ja: string;
  readonly issue: number;
}

/**
 * Every not-yet-built command, in one table. When an issue lands its command, delete its row here and
 * register the real command in index.ts.
 */
export const plannedCommands: readonly PlannedCommand[] = [];

/** Descriptions of the command groups (`hub dlq`, `hub flows`, …) that hold planned subcommands. */
const groupDescriptions: Readonly<Record<string, string>> = {
  dlq: 'Dead letters: list|show|replay|purge / デッドレター',
  flows: 'Node-RED flows / Node-RED フロー',
  users: 'Editor users / エディタ利用者',
  audit: 'Operator audit log / 操作記録',
};

/** The line a not-yet-built command prints. */
export function notBuiltLine(words: string, issue: number): string {
  return `hub ${words}: not built yet — issue ${issue} brings it / 未実装（課題 ${issue} で提供）`;
}

function groupOf(program: Command, name: string, setCode: (code: number) => void): Command {
  const existing = program.commands.find((command) => command.name() === name);
  if (existing !== undefined) return existing;
  const issues = [
    ...new Set(plannedCommands.filter((row) => row.path[0] === name).map((row) => row.issue)),
  ];
  const summary = `${groupDescriptions[name] ?? name} [not built: issue ${issues.join(', ')}]`;
  const group = program
    .command(name)
    .summary(summary)
    .description(summary)
    .allowExcessArguments()
    .action(() => {
      complain(notBuiltLine(name, issues[0] ?? 0));
      setCode(exitCodes.notBuilt);
    });
  return group;
}

/** Registers every planned command: each shows in `--help`, and running it exits 3 naming its issue. */
export function registerPlannedCommands(program: Command, setCode: (code: number) => void): void {
  for (const row of plannedCommands) {
    const [first, ...rest] = row.path;
    const parent = rest.length === 0 ? program : groupOf(program, first, setCode);
    const name = rest.length === 0 ? first : rest.join(' ');
    const words = row.path.join(' ');
    parent
      .command(name)
      .summary(`${row.en} / ${row.ja} [not built: issue ${row.issue}]`)
      .description(`${row.en}\n${row.ja}\n\n${notBuiltLine(words, row.issue)}`)
      .usage(row.usage === '' ? '[options]' : `[options] ${row.usage}`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        complain(notBuiltLine(words, row.issue));
        setCode(exitCodes.notBuilt);
      });
  }
}
