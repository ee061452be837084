/**
 * Pure functions behind `hub validate <messageType> <file|->` and `hub schemas list`. They return the
 * lines to print and never echo input content: errors name the JSON pointer, the rule and its limits,
 * and a syntax error names only the line and column.
 */
import type { SchemaIssue } from '../errors.js';
import { codePointLength } from '../../schemas/keywords.js';
import type { SchemaRegistry } from '../../schemas/registry.js';

/** What the command prints and whether it succeeded (exit 0) or not (exit 1). */
export interface CommandResult {
  readonly ok: boolean;
  readonly lines: string[];
}

/** Levenshtein distance, for suggesting known message types. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known message types closest to `messageType` (at most `count`). */
export function closestMessageTypes(
  messageType: string,
  known: readonly string[],
  count = 3,
): string[] {
  return [...known]
    .map((candidate) => ({ candidate, score: distance(messageType, candidate) }))
    .sort(
      (left, right) => left.score - right.score || left.candidate.localeCompare(right.candidate),
    )
    .slice(0, count)
    .map(({ candidate }) => candidate);
}

/** Offset of the first JSON syntax error in `text` (a strict RFC 8259 scan), or undefined if valid. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(String(at));
  };
  const space = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at += 1;
  };
  const literal = (word: string): void => {
    for (const char of word) {
      if (text.charAt(at) !== char) fail();
      at += 1;
    }
  };
  const string = (): void => {
    at += 1;
    for (;;) {
      if (at >= text.length) fail();
      const char = text.charAt(at);
      if (char === '"') {
        at += 1;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        at += 1;
        const escape = text.charAt(at);
        if (escape === 'u') {
          for (let index = 0; index < 4; index += 1) {
            at += 1;
            if (!/[0-9a-fA-F]/.test(text.charAt(at))) fail();
          }
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') fail();
      }
      at += 1;
    }
  };
  const number = (): void => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at));
    if (match === null) fail();
    else at += match[0].length;
  };
  const value = (): void => {
    space();
    const char = text.charAt(at);
    if (char === '{') {
      at += 1;
      space();
      if (text.charAt(at) === '}') {
        at += 1;
        return;
      }
      for (;;) {
        space();
        if (text.charAt(at) !== '"') fail();
        string();
        space();
        if (text.charAt(at) !== ':') fail();
        at += 1;
        value();
        space();
        if (text.charAt(at) === ',') at += 1;
        else if (text.charAt(at) === '}') {
          at += 1;
          return;
        } else fail();
      }
    }
    if (char === '[') {
      at += 1;
      space();
      if (text.charAt(at) === ']') {
        at += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text.charAt(at) === ',') at += 1;
        else if (text.charAt(at) === ']') {
          at += 1;
          return;
        } else fail();
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    if (at < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return Number(error.message);
    throw error;
  }
}

/** 1-based line and column (in code points) of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length, column: codePointLength(last) + 1 };
}

function issueLine(issue: SchemaIssue, warning: boolean): string {
  const path = issue.path === '' ? '/' : issue.path;
  return warning
    ? `${path}: 警告: ${issue.ja} / warning: ${issue.en}`
    : `${path}: ${issue.ja} / ${issue.en}`;
}

/** Validates raw text as a body of `messageType`; every error becomes `path: 日本語 / English`. */
export function validateCommand(
  messageType: string,
  input: string,
  registry: SchemaRegistry,
): CommandResult {
  if (!registry.has(messageType)) {
    const known = registry.list().map((info) => info.messageType);
    const closest = closestMessageTypes(messageType, known);
    return {
      ok: false,
      lines: [
        `未知の電文種別です: ${messageType} / Unknown message type: ${messageType}`,
        `近い電文種別 / Closest known types: ${closest.join(', ')}`,
        '一覧は hub schemas list / See hub schemas list for all types',
      ],
    };
  }
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const offset = jsonSyntaxErrorOffset(text) ?? text.length;
    const { line, column } = lineAndColumn(text, offset);
    return {
      ok: false,
      lines: [
        `JSON の構文が不正です（${String(line)} 行 ${String(column)} 列） / Invalid JSON at line ${String(line)}, column ${String(column)}`,
      ],
    };
  }
  const { issues, warnings } = registry.validate(messageType, data);
  const lines = [
    ...issues.map((issue) => issueLine(issue, false)),
    ...warnings.map((issue) => issueLine(issue, true)),
  ];
  if (issues.length === 0) {
    lines.unshift(`${messageType}: 適合 / valid`);
    return { ok: true, lines };
  }
  lines.push(
    `${messageType}: 不適合（${String(issues.length)} 件） / invalid (${String(issues.length)} ${issues.length === 1 ? 'error' : 'errors'})`,
  );
  return { ok: false, lines };
}

/** One line per message type: type, Japanese title, from → to, affair, whether it carries 個人番号. */
export function schemasListLines(registry: SchemaRegistry): string[] {
  const infos = registry.list();
  const width = Math.max(...infos.map((info) => info.messageType.length));
  return infos.map((info) => {
    const myNumber = info.carriesMyNumber
      ? '個人番号あり/carries My Number'
      : '個人番号なし/no My Number';
    return `${info.messageType.padEnd(width)}  ${info.title.ja}  ${info.from} → ${info.to.join(', ')}  事務${String(info.affair)}  ${myNumber}`;
  });
}
