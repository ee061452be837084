/**
 * 戸籍システム client. For コンビニ交付 of 戸籍 certificates the convenience system asks the 戸籍
 * system directly (seed 11-④⑤: 証明書コンビニ交付システム → 戸籍システム), so the hub routes nothing
 * to it in these affairs; `queryKoseki` is the convenience side's client.
 */
import { postBytes } from '../runtime/http-sink.js';
import { kosekiDescriptor } from './descriptor.js';

/** The SystemId. */
export const KOSEKI = kosekiDescriptor.system;

/** 戸籍 certificate data (keys and counts only; the demo PDF prints no names). */
export interface KosekiData {
  readonly subjectKey: string;
  readonly honsekiPresent: boolean;
  readonly memberCount: number;
}

/**
 * Asks the 戸籍 system — or, with `system` = KOSEKI_FUHYO and its base URL, the 附票 system, which
 * answers `POST /certificate-data` the same way — for certificate data; undefined when it knows
 * nobody for the serial.
 */
export async function queryKoseki(
  baseUrl: string,
  lgCode: string,
  authCertSerial: string,
  certificateType: string,
  system: string = KOSEKI,
): Promise<KosekiData | undefined> {
  try {
    const text = await postBytes(
      system,
      `${baseUrl}/certificate-data`,
      JSON.stringify({ lgCode, authCertSerial, certificateType }),
      { contentType: 'application/json', timeoutMs: 5_000 },
    );
    return JSON.parse(text) as KosekiData;
  } catch (error) {
    if (error instanceof Error && error.message.includes('HTTP 404')) return undefined;
    throw error;
  }
}
