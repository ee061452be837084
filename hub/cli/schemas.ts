import { readFile } from 'node:fs/promises';
import { loadSchemaRegistry, loadValidate } from './deps.js';
import { complain, describeError, exitCodes, oneShotLogging, say } from './output.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function loadAll(command: string): Promise<
  | {
      registry: unknown;
      validate: NonNullable<Awaited<ReturnType<typeof loadValidate>>>;
    }
  | undefined
> {
  oneShotLogging(undefined);
  const [schemaRegistry, validate] = await Promise.all([loadSchemaRegistry(), loadValidate()]);
  if (schemaRegistry === undefined || validate === undefined) {
    complain(
      `hub ${command}: not built yet — issue 3 brings the schemas / 未実装（課題 3 で提供）`,
    );
    return undefined;
  }
  return { registry: schemaRegistry(), validate };
}

/** `hub validate <messageType> [file]`: checks one message (file, or stdin) against its schema. */
export async function validateCli(messageType: string, file: string | undefined): Promise<number> {
  let input: string;
  try {
    if (file === undefined || file === '-') {
      if (process.stdin.isTTY) {
        complain(
          'hub validate: give a file, or pipe the message on stdin (hub validate <type> - < message.json)' +
            ' / ファイルを指定するか、標準入力にメッセージを渡してください',
        );
        return exitCodes.usage;
      }
      input = await readStdin();
    } else {
      input = await readFile(file, 'utf8');
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? describeError(error);
    complain(`hub validate: cannot read ${file ?? 'stdin'} (${code}) / 入力を読めません`);
    return exitCodes.usage;
  }
  const loaded = await loadAll('validate');
  if (loaded === undefined) return exitCodes.notBuilt;
  const result = await loaded.validate.validateCommand(messageType, input, loaded.registry);
  for (const line of result.lines) say(line);
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

/** `hub schemas list`: one line per message type the hub knows. */
export async function schemasListCli(): Promise<number> {
  const loaded = await loadAll('schemas list');
  if (loaded === undefined) return exitCodes.notBuilt;
  for (const line of loaded.validate.schemasListLines(loaded.registry)) say(line);
  return exitCodes.ok;
}
