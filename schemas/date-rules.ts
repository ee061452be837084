/**
 * Date rules a JSON Schema cannot state because they compare with today or across properties: the
 * registry runs them after the schema on every validation (ingest, engine, replay, `hub validate`).
 *
 * - A 生年月日 (`birthDate`) after today (in Japan) is refused: nobody is registered before birth.
 *   A partial date counts from its first possible day (a 日不詳 birth this month is fine).
 * - A movement's 異動年月日 (`movedOn`) after its 処理日 (`processedOn`, a sibling property) is refused,
 *   except for a move-out (国内転出 / 国外転出), which is recorded ahead of the day (STD j480).
 *
 * Issues name the JSON pointer and the rule, never the dates.
 */
import type { SchemaIssue } from '../hub/errors.js';
import { dateBounds, parseDateValue, todayInJapan } from '../connectors/codec/wareki.js';

/** Movement reasons that may be dated after their processing date. */
export const futureDatedReasons: ReadonlySet<string> = new Set([
  'DOMESTIC_MOVE_OUT',
  'OVERSEAS_MOVE_OUT',
]);

const maxDepth = 32;

function pointerToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The first possible day of a FlexibleDate-shaped value, or undefined when it has none. */
function firstDay(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value['value'] !== 'string') return undefined;
  const parts = parseDateValue(value['value']);
  return parts === undefined ? undefined : dateBounds(parts).from;
}

function reasonOf(node: Readonly<Record<string, unknown>>): string | undefined {
  const reason = node['movementReason'];
  if (isRecord(reason) && typeof reason['reason'] === 'string') return reason['reason'];
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * The walk runs on every validated body (a bulk extract: every record), so the JSON pointer of a
 * node is kept as a list of keys and only joined when an issue names it, and today is asked for
 * only when a birth date is there to compare.
 */
function visit(
  node: unknown,
  path: string[],
  today: () => string,
  out: SchemaIssue[],
  depth: number,
): void {
  if (depth > maxDepth) return;
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      path.push(String(index));
      visit(item, path, today, out, depth + 1);
      path.pop();
    });
    return;
  }
  if (!isRecord(node)) return;
  const birth = firstDay(node['birthDate']);
  if (birth !== undefined && birth > today()) {
    out.push({
      path: `${pointerOf(path)}/birthDate/value`,
      keyword: 'dateRule',
      ja: '生年月日が未来の日付です（本日より後の出生は登録できません）',
      en: 'birth date is in the future (a birth after today cannot be registered)',
    });
  }
  const moved = firstDay(node['movedOn']);
  const processedOn = node['processedOn'];
  if (
    moved !== undefined &&
    typeof processedOn === 'string' &&
    /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(processedOn) &&
    moved > processedOn &&
    !futureDatedReasons.has(reasonOf(node) ?? '')
  ) {
    out.push({
      path: `${pointerOf(path)}/movedOn/value`,
      keyword: 'dateRule',
      ja: '異動年月日が処理日より後です（処理日より後にできるのは転出のみ）',
      en: 'movedOn is after processedOn (only a move-out may be dated after its processing date)',
    });
  }
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (value !== null && typeof value === 'object') {
      path.push(key);
      visit(value, path, today, out, depth + 1);
      path.pop();
    }
  }
}

function pointerOf(path: readonly string[]): string {
  return path.map((key) => `/${pointerToken(key)}`).join('');
}

/** Today in Japan, recomputed only once the cached day has ended (the walk asks per record). */
let cachedToday: { readonly value: string; readonly until: number } | undefined;
function currentTodayInJapan(): string {
  const now = Date.now();
  if (cachedToday === undefined || now >= cachedToday.until) {
    const dayMs = 86_400_000;
    const jstOffset = 9 * 3_600_000;
    // The next midnight in Japan, in UTC milliseconds.
    const until = Math.floor((now + jstOffset) / dayMs + 1) * dayMs - jstOffset;
    cachedToday = { value: todayInJapan(new Date(now)), until };
  }
  return cachedToday.value;
}

/** The date-rule issues of a message body (see the module comment). `today` is YYYY-MM-DD in Japan. */
export function dateRuleIssues(data: unknown, today?: string): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  visit(data, [], today === undefined ? currentTodayInJapan : () => today, out, 0);
  return out;
}
