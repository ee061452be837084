/**
 * `hub publish <messageType> <file|->`: publishes messages from a file or stdin through the same core
 * as the other ingest paths (validate → confirmed publish, or a dead letter of the original bytes).
 * JSON input is one message, a JSON array, or JSON Lines; `--layout <name>` / `--csv` read a legacy
 * export. Message ids derive from the input's SHA-256 and the record's position, so running the same
 * input again publishes duplicates the engine recognises, never new messages.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { v5 as uuidv5 } from 'uuid';
import { fileLayouts, type FileLayout } from '../../connectors/index.js';
import { splitLines } from '../../connectors/runtime/file-layout.js';
import { buildTopology, createBroker } from '../broker/index.js';
import { configureLogger } from '../logger.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { fileRecordMessageId } from '../ingest/file-drop.js';
import { createIngest, type IngestMessage } from '../ingest/publish.js';
import { closestMessageTypes } from './validate.js';
import { complain, configOrComplain, describeError, exitCodes, say } from './output.js';

/** Options of `hub publish`. */
export interface PublishCliOptions {
  readonly csv?: boolean;
  readonly layout?: string;
  /** The sending system (AMQP app_id); default the catalogue's producer of the type. */
  readonly system?: string;
  /** Force or suppress the progress bar (default: on a TTY with more than 100 records). */
  readonly progress?: boolean;
}

/** Namespace of ids of JSON records published by the CLI: UUID v5 of `<sha256>:<index>`. */
const CLI_NAMESPACE = 'c4a1d7e2-5b3f-4a8c-9e6d-1f2b3c4d5e6f';

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

type Prepared = Omit<IngestMessage, 'system' | 'source' | 'messageType'>;

/** Cuts JSON input into records: a single message, an array of messages, or JSON Lines. */
function jsonRecords(bytes: Buffer, sha256: string): Prepared[] {
  const id = (index: number) => uuidv5(`${sha256}:${String(index)}`, CLI_NAMESPACE);
  try {
    const whole = JSON.parse(bytes.toString('utf8')) as unknown;
    if (Array.isArray(whole)) {
      // Elements have no bytes of their own: their dead letter holds the element re-serialised.
      return whole.map((element, index) => ({
        content: Buffer.from(JSON.stringify(element)),
        messageId: id(index + 1),
        line: index + 1,
      }));
    }
    return [{ content: bytes, messageId: id(1) }];
  } catch {
    return splitLines(bytes)
      .filter((record) => record.bytes.toString('utf8').trim() !== '')
      .map((record) => ({ content: record.bytes, messageId: id(record.line), line: record.line }));
  }
}

function layoutRecords(layout: FileLayout, bytes: Buffer, sha256: string): Prepared[] {
  return layout.records(bytes).map((record) => {
    const mapped = layout.map(record);
    return {
      content: record.bytes,
      ...('body' in mapped ? { body: mapped.body } : { decodeError: mapped.error }),
      messageId: fileRecordMessageId(sha256, record.line),
      line: record.line,
    };
  });
}

/** Runs `hub publish`; resolves with the exit code. */
export async function publishCli(
  messageType: string,
  file: string,
  options: PublishCliOptions,
): Promise<number> {
  const config = configOrComplain();
  if (config === undefined) return exitCodes.usage;
  const catalogue = schemaRegistry();
  if (!catalogue.has(messageType)) {
    const near = closestMessageTypes(
      messageType,
      catalogue.list().map((info) => info.messageType),
    );
    complain(
      `hub publish: unknown message type ${messageType} (did you mean ${near.join(', ')}?) / 未知の電文種別です`,
    );
    return exitCodes.usage;
  }
  let layout: FileLayout | undefined;
  if (options.layout !== undefined) {
    layout = fileLayouts.get(options.layout);
    if (layout === undefined) {
      complain(
        `hub publish: unknown layout ${options.layout} (known: ${[...fileLayouts.keys()].join(', ')}) / 未知の様式です`,
      );
      return exitCodes.usage;
    }
  } else if (options.csv === true) {
    layout = [...fileLayouts.values()].find(
      (candidate) => candidate.kind === 'csv' && candidate.messageType === messageType,
    );
    if (layout === undefined) {
      complain(`hub publish: no CSV layout for ${messageType} / この種別の CSV 様式はありません`);
      return exitCodes.usage;
    }
  }
  if (layout !== undefined && layout.messageType !== messageType) {
    complain(
      `hub publish: layout ${layout.name} is for ${layout.messageType}, not ${messageType} / 様式と電文種別が一致しません`,
    );
    return exitCodes.usage;
  }
  if (file === '-' && process.stdin.isTTY) {
    complain(
      'hub publish: give a file, or pipe the input on stdin / ファイルを指定するか標準入力に渡してください',
    );
    return exitCodes.usage;
  }
  let bytes: Buffer;
  try {
    bytes = await readInput(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? describeError(error);
    complain(`hub publish: cannot read ${file} (${code}) / 入力を読めません`);
    return exitCodes.usage;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let records: Prepared[];
  try {
    records =
      layout === undefined ? jsonRecords(bytes, sha256) : layoutRecords(layout, bytes, sha256);
  } catch (error) {
    complain(
      `hub publish: the file cannot be read as ${layout?.name ?? 'JSON'}: ${describeError(error)}`,
    );
    return exitCodes.failed;
  }
  const system = options.system ?? catalogue.info(messageType)?.from ?? 'CLI';
  // Set only now that there is work: usage errors above leave the caller's logging alone.
  const explicit = process.env['HUB_LOG_LEVEL'] !== undefined;
  configureLogger({ level: explicit ? config.logLevel : 'error', destination: process.stderr });
  const broker = createBroker({ url: config.amqpUrl, name: 'hub-cli' });
  try {
    await broker.start();
    // The hub's base topology (exchanges and the dead-letter queue), so dead letters are kept even
    // when no hub has run on this broker yet.
    await broker.declare(buildTopology([], []));
  } catch (error) {
    await broker.close().catch(() => undefined);
    complain(
      `hub publish: broker unavailable: ${describeError(error)} / ブローカーに接続できません`,
    );
    return exitCodes.failed;
  }
  const ingest = createIngest({
    publisher: broker.publisher,
    catalogue,
    maxRecordBytes: config.ingestMaxRecordBytes,
  });
  const showBar = options.progress ?? (process.stderr.isTTY && records.length > 100);
  const bar = showBar
    ? new SingleBar({
        format: 'publish / 発行 [{bar}] {value}/{total} ({percentage}%)',
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  bar?.start(records.length, 0);
  let published = 0;
  const rejected: { line: number | undefined; paths: string[] }[] = [];
  let unroutable = 0;
  const batchSize = 200;
  try {
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      const results = await Promise.all(
        batch.map((record) =>
          ingest.submit({
            ...record,
            messageType,
            system,
            source: 'cli',
            ...(file === '-' ? {} : { fileName: file.split('/').pop() ?? file }),
          }),
        ),
      );
      for (const [index, result] of results.entries()) {
        if (result.status === 'published') published += 1;
        else if (result.status === 'unroutable') unroutable += 1;
        else
          rejected.push({
            line: batch[index]?.line,
            paths: result.error.issues.map((issue) => `${issue.path || '/'} ${issue.en}`),
          });
      }
      bar?.increment(batch.length);
    }
  } catch (error) {
    bar?.stop();
    complain(
      `hub publish: stopped after ${String(published)} published: ${describeError(error)} / 途中で停止しました（再実行しても重複は下流で除かれます）`,
    );
    await broker.close().catch(() => undefined);
    return exitCodes.failed;
  }
  bar?.stop();
  await broker.close();
  for (const entry of rejected.slice(0, 50)) {
    say(
      `rejected / 拒否: ${entry.line === undefined ? '' : `line ${String(entry.line)}: `}${entry.paths.slice(0, 5).join('; ')}`,
    );
  }
  if (rejected.length > 50)
    say(`… ${String(rejected.length - 50)} more / ほか ${String(rejected.length - 50)} 件`);
  say(
    `published ${String(published)}, dead-lettered ${String(rejected.length + unroutable)}` +
      (unroutable > 0 ? ` (${String(unroutable)} unroutable)` : '') +
      ` / 発行 ${String(published)} 件、デッドレター ${String(rejected.length + unroutable)} 件`,
  );
  return rejected.length + unroutable > 0 ? exitCodes.failed : exitCodes.ok;
}
