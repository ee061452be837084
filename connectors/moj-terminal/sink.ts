/**
 * 法務省情報連携端末 connector, egress (seed 4-③④): each 市町村通知 is written in the terminal's
 * outgoing format (fixed-width CP932 `M` record, `codec.ts`) as a file in
 * `<exchange>/moj-terminal/outbound/` (atomic write + `.done` marker), then the terminal is told the
 * file (manifest on `/inbox`). Idempotent by message id: a redelivery finds the completed file and
 * announces it again. A notice the format cannot carry (a character outside CP932) is refused for
 * good: a dead letter, not a retry. No 個人番号.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sink } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import type { MunicipalityNoticeSent } from '../../schemas/types.gen.js';
import { MARKER_SUFFIX, isComplete, openAtomicFile } from '../runtime/files.js';
import { postBytes } from '../runtime/http-sink.js';
import { MOJ_SEPARATOR, encodeMunicipalityNotice } from './codec.js';
import { mojTerminalDescriptor } from './descriptor.js';

/** The SystemId. */
export const MOJ_TERMINAL = mojTerminalDescriptor.system;

/** The manifest the terminal is sent for an outgoing file. */
export interface OutgoingManifest {
  readonly fileRef: string;
  readonly sha256: string;
  readonly records: number;
}

/** The terminal's egress sink. */
export function mojTerminalSink(options: {
  readonly baseUrl: string;
  readonly exchangeDir: string;
  readonly timeoutMs?: number;
}): Sink {
  const outbound = join(options.exchangeDir, 'moj-terminal', 'outbound');
  return {
    system: MOJ_TERMINAL,
    allowsMyNumber: mojTerminalDescriptor.myNumber,
    async deliver(message) {
      if (message.messageType !== 'municipality.notice.sent') {
        throw new ConnectorError(MOJ_TERMINAL, `cannot send ${message.messageType}`, false);
      }
      const target = join(outbound, `SHICHOSON_${message.messageId}.dat`);
      let manifest: OutgoingManifest;
      if (await isComplete(target)) {
        const sha256 = (await readFile(`${target}${MARKER_SUFFIX}`, 'utf8')).trim();
        manifest = { fileRef: pathToFileURL(target).toString(), sha256, records: 1 };
      } else {
        let record: Buffer;
        try {
          record = encodeMunicipalityNotice(message.body as MunicipalityNoticeSent);
        } catch (error) {
          throw new ConnectorError(
            MOJ_TERMINAL,
            'the notice cannot be written in the terminal format (CP932)',
            false,
            { cause: error },
          );
        }
        const file = await openAtomicFile(target);
        await file.write(Buffer.concat([record, MOJ_SEPARATOR]));
        const { fileRef, sha256 } = await file.commit();
        manifest = { fileRef, sha256, records: 1 };
      }
      await postBytes(MOJ_TERMINAL, `${options.baseUrl}/inbox`, JSON.stringify(manifest), {
        contentType: 'application/json',
        timeoutMs: options.timeoutMs ?? 5_000,
        headers: {
          'idempotency-key': message.messageId,
          'x-message-type': message.messageType,
          'x-correlation-id': message.correlationId,
        },
        myNumberInBody: false,
      });
    },
  };
}
