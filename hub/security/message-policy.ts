/**
 * The My Number policy over a whole message (issue 13, build item 3): body, AMQP properties (every
 * string property: message id, correlation id, type, app id, user id, reply-to …), header names and
 * values (nested tables and arrays included), routing key, file name, and — at a sink — the URL and
 * HTTP headers it is about to send. One function, `enforceMyNumberPolicy`, called by the step
 * pipeline (hub/engine/runner.ts) on what a step consumed and on what it emits, and by the sinks on
 * their final bytes.
 *
 * The rule:
 * - Metadata never carries a My Number, whatever the destination. The catalogue declares 個人番号 in
 *   bodies only; metadata is copied into logs, traces, HTTP headers (X-Correlation-Id), broker
 *   management views and indexes, none of which is protected like a body. A message with a number
 *   in its metadata is quarantined (dead letter, reason class `policy`), never delivered.
 * - A body carries 個人番号 only when its message type declares it, and goes only to a system that
 *   may receive it on the route (the seed's legend), or to the hub's own bus.
 * Findings name the part (and a masked property or header name), never the value. "My Number" here
 * includes the 符号 (hub/security/fugo.ts): both are found, declared and permitted alike.
 */
import iconv from 'iconv-lite';
import { PolicyError } from '../errors.js';
import { maskText } from './mask.js';
import { containsFugo, findFugos } from './fugo.js';
import { containsMyNumber as containsNumber, findMyNumbers as findNumbers } from './my-number.js';

// The identifiers this policy guards: the 個人番号 and the 符号 (情報提供用個人識別符号, affair 5),
// which is treated exactly like a My Number — declared by `x-carries-my-number`, sent only where a
// 個人番号 may go, quarantined anywhere else. Every check below goes through these two functions.
function findMyNumbers(text: string): { index: number }[] {
  return [...findNumbers(text), ...findFugos(text)];
}
function containsMyNumber(value: unknown): boolean {
  return containsNumber(value) || containsFugo(value);
}

/** A message, or the parts of it that are known at the place of the check. */
export interface MessageEnvelope {
  /** The parsed body (or anything JSON-like: what a sink is about to send). */
  readonly body?: unknown;
  /** Raw bytes or text when there is no parsed body (scanned as UTF-8 text). */
  readonly content?: Buffer | string | undefined;
  /** AMQP properties (camelCase, as amqplib gives them) except `headers`. */
  readonly properties?: Readonly<Record<string, unknown>> | undefined;
  /** AMQP headers or HTTP headers. */
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
  readonly routingKey?: string | undefined;
  readonly fileName?: string | undefined;
  readonly url?: string | undefined;
}

/** Where in a message a My Number was found. */
export type MessagePart =
  'body' | 'property' | 'header-name' | 'header-value' | 'routing-key' | 'file-name' | 'url';

/** One finding: the part and, for properties and headers, the (masked) name. Never the value. */
export interface MyNumberFinding {
  readonly part: MessagePart;
  readonly name?: string;
}

const maxDepth = 32;

function scanHeaderValue(value: unknown, depth: number): boolean {
  if (depth > maxDepth) return false;
  if (Buffer.isBuffer(value)) return findMyNumbers(value.toString('utf8')).length > 0;
  if (Array.isArray(value)) return value.some((item) => scanHeaderValue(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) => findMyNumbers(key).length > 0 || scanHeaderValue(item, depth + 1),
    );
  }
  return containsMyNumber(value);
}

/** Every place in `envelope` that holds a valid My Number. */
export function findMyNumbersInMessage(envelope: MessageEnvelope): MyNumberFinding[] {
  const findings: MyNumberFinding[] = [];
  if (envelope.body !== undefined && containsMyNumber(envelope.body)) {
    findings.push({ part: 'body' });
  } else if (envelope.content !== undefined) {
    const text =
      typeof envelope.content === 'string' ? envelope.content : envelope.content.toString('utf8');
    if (findMyNumbers(text).length > 0) findings.push({ part: 'body' });
  }
  for (const [name, value] of Object.entries(envelope.properties ?? {})) {
    if (name === 'headers') continue;
    if (scanHeaderValue(value, 0)) findings.push({ part: 'property', name });
  }
  for (const [name, value] of Object.entries(envelope.headers ?? {})) {
    if (findMyNumbers(name).length > 0)
      findings.push({ part: 'header-name', name: maskText(name) });
    if (scanHeaderValue(value, 0)) findings.push({ part: 'header-value', name: maskText(name) });
  }
  if (envelope.routingKey !== undefined && findMyNumbers(envelope.routingKey).length > 0) {
    findings.push({ part: 'routing-key' });
  }
  if (envelope.fileName !== undefined && findMyNumbers(envelope.fileName).length > 0) {
    findings.push({ part: 'file-name' });
  }
  if (envelope.url !== undefined && findMyNumbers(envelope.url).length > 0) {
    findings.push({ part: 'url' });
  }
  return findings;
}

/** The parts of findings as short text for a reason ("property correlationId, routing key"). */
export function describeFindings(findings: readonly MyNumberFinding[]): { ja: string; en: string } {
  const ja: Record<MessagePart, string> = {
    body: '本文',
    property: 'プロパティ',
    'header-name': 'ヘッダー名',
    'header-value': 'ヘッダー値',
    'routing-key': 'ルーティングキー',
    'file-name': 'ファイル名',
    url: 'URL',
  };
  const en: Record<MessagePart, string> = {
    body: 'body',
    property: 'property',
    'header-name': 'header name',
    'header-value': 'header value',
    'routing-key': 'routing key',
    'file-name': 'file name',
    url: 'URL',
  };
  const label = (names: Record<MessagePart, string>) =>
    [
      ...new Set(
        findings.map((f) => (f.name === undefined ? names[f.part] : `${names[f.part]} ${f.name}`)),
      ),
    ].join(', ');
  return { ja: label(ja), en: label(en) };
}

/** Where the checked message is going. */
export interface PolicyTarget {
  /** The message type of the body (already known to the catalogue, or masked before use). */
  readonly messageType: string;
  readonly route: string;
  /** Whether the catalogue declares 個人番号 in this message type's body. */
  readonly declared: boolean;
  /**
   * The external system it goes to and whether that system may receive 個人番号 on the route;
   * absent for the hub's own bus (a publish to hub.events).
   */
  readonly destination?: { readonly system: string; readonly permitted: boolean } | undefined;
  /** Names the check for the reason (for example 'sink' when a connector checks its request). */
  readonly stage?: string;
}

/**
 * Throws PolicyError (a dead letter with a bilingual reason, class `policy`) when `envelope` may not
 * go to `target`; returns when it may. See the module comment for the rule.
 */
export function enforceMyNumberPolicy(envelope: MessageEnvelope, target: PolicyTarget): void {
  const findings = findMyNumbersInMessage(envelope);
  const metadata = findings.filter((finding) => finding.part !== 'body');
  const type = maskText(target.messageType);
  if (metadata.length > 0) {
    const where = describeFindings(metadata);
    throw new PolicyError(`My Number in the metadata of ${type} (${where.en})`, {
      ja: `電文 ${type} のメタデータ（${where.ja}）に個人番号が含まれています。メタデータには個人番号を入れられません（隔離しました）`,
      en: `The metadata of ${type} (${where.en}) holds a My Number; metadata may never carry one (quarantined)`,
    });
  }
  const found = findings.length > 0;
  if (!target.declared && !found) return;
  if (!target.declared) {
    throw new PolicyError(`${type} is declared without 個人番号 but carries one`, {
      ja: `電文種別 ${type} は個人番号を含まない定義ですが、個人番号が含まれています（隔離しました）`,
      en: `${type} is declared without My Number but carries one (quarantined)`,
    });
  }
  const destination = target.destination;
  if (destination !== undefined && !destination.permitted) {
    throw new PolicyError(`${destination.system} may not receive 個人番号 on ${target.route}`, {
      ja: `連携先 ${destination.system} は事務 ${target.route} で個人番号を受け取れません（隔離しました）`,
      en: `${destination.system} may not receive My Number on ${target.route} (quarantined)`,
    });
  }
}

/**
 * The check of what a connector is about to send, as the last step before it leaves (URL, HTTP
 * headers, the encoded body). `permitted` is the system's permission on the message's route.
 * Unlike the engine's check this sees the wire form: a connector that copies a header or encodes a
 * field into the URL cannot let a number out that the engine did not see.
 */
export function enforceEgressPolicy(
  request: {
    readonly system: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, unknown>>;
    readonly body: Buffer | string;
  },
  permitted: boolean,
): void {
  const metadata = findMyNumbersInMessage({ url: request.url, headers: request.headers });
  if (metadata.length > 0) {
    const where = describeFindings(metadata);
    throw new PolicyError(`My Number in the request to ${request.system} (${where.en})`, {
      ja: `連携先 ${request.system} への要求（${where.ja}）に個人番号が含まれています（隔離しました）`,
      en: `The request to ${request.system} (${where.en}) holds a My Number (quarantined)`,
    });
  }
  if (permitted) return;
  // Wire formats of legacy systems are CP932 as often as UTF-8: full-width digits differ.
  const texts =
    typeof request.body === 'string'
      ? [request.body]
      : [request.body.toString('utf8'), iconv.decode(request.body, 'cp932')];
  if (texts.some((text) => findMyNumbers(text).length > 0)) {
    throw new PolicyError(`${request.system} may not receive 個人番号`, {
      ja: `連携先 ${request.system} は個人番号を受け取れません（送信直前の検査で隔離しました）`,
      en: `${request.system} may not receive My Number (quarantined by the last check before sending)`,
    });
  }
}

/** Direct reply-to addresses (RabbitMQ's pseudo-queue): the only place a reply step may publish. */
const directReplyTo = /^amq\.rabbitmq\.reply-to\.[A-Za-z0-9+/=._-]+$/u;

/** True when `replyTo` is a direct reply-to address (`amq.rabbitmq.reply-to.…`). */
export function isDirectReplyTo(replyTo: string): boolean {
  return directReplyTo.test(replyTo);
}

/**
 * The check of a consumed message's metadata (properties, headers, routing key), before anything
 * else is done with it: a number there is quarantined at the first step that sees it, so it is not
 * copied into outcome rows, outputs or logs further down the line.
 */
export function enforceMetadataPolicy(delivery: {
  readonly properties: object;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly routingKey: string;
}): void {
  const properties = delivery.properties as Readonly<Record<string, unknown>>;
  const type = properties['type'];
  enforceMyNumberPolicy(
    { properties, headers: delivery.headers, routingKey: delivery.routingKey },
    {
      messageType: typeof type === 'string' ? type : delivery.routingKey,
      route: '',
      declared: true,
    },
  );
}
