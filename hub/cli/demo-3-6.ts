/**
 * `hub demo affair-3|affair-6` (住民票の写し at the counter; 本人確認 and 情報照会 from the 統合端末):
 * the 統合端末 simulator calls the hub's counter API as an operator. Demo mode only: the demo adds a
 * one-off operator account (`demo-counter-<n>`, random password, printed nowhere) so the access
 * record names who asked, as it would a person at the counter. Kept apart from demo.ts.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig } from '../config.js';
import { sampleAtenaNumber, sampleJuminhyoCode } from '../../schemas/sample.js';
import { say } from './output.js';
import type { DemoTools } from './demo-5-9-10.js';

/** The demo's operator, created in the store of the running hub. */
async function demoOperator(
  config: HubConfig,
  seed: number,
): Promise<{ username: string; password: string }> {
  if (config.mode !== 'demo')
    throw new Error(
      'hub demo affair-3/affair-6 adds a demo operator and runs only with HUB_MODE=demo / デモモード限定です',
    );
  const { openStore } = await import('../store/index.js');
  const { storeCredentials } = await import('../http/auth.js');
  const store = await openStore(config.dbUrl);
  try {
    const username = `demo-counter-${String(seed)}`;
    const password = randomBytes(18).toString('base64url');
    await storeCredentials(store).addUser(username, password, 'operator');
    return { username, password };
  } finally {
    await store.close();
  }
}

/** The demos of affairs 3 and 6. */
export async function demo36(
  affair: 'affair-3' | 'affair-6',
  seed: number,
  config: HubConfig,
  { post, simUrl }: DemoTools,
): Promise<void> {
  const operator = await demoOperator(config, seed);
  await post('TOUGOU_TANMATSU', '/hub', { url: `http://127.0.0.1:${String(config.httpPort)}` });
  const as = { ...operator, terminalId: 'DEMO-TERMINAL' };
  const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
  if (affair === 'affair-6') {
    const local = await post('TOUGOU_TANMATSU', '/trigger/search', {
      ...as,
      purpose: 'JUKI_HONNIN_KAKUNIN',
      criteria: { juminhyoCode: sampleJuminhyoCode(1 + (seed % 9_000)) },
    });
    const national = await post('TOUGOU_TANMATSU', '/trigger/search', {
      ...as,
      purpose: 'JUKI_HONNIN_KAKUNIN',
      criteria: { juminhyoCode: sampleJuminhyoCode(500_000 + seed) },
    });
    const inquiry = await post('TOUGOU_TANMATSU', '/trigger/inquiry', {
      ...as,
      purpose: 'JUKI_IDOU_KAKUNIN',
      criteria: { juminhyoCode: sampleJuminhyoCode(600_000 + seed) },
    });
    const sourceOf = (answer: unknown) => {
      const source = (answer as { body?: { source?: unknown } }).body?.source;
      return typeof source === 'string' ? source : 'none';
    };
    say(
      `affair 6: a resident searched (answered ${sourceOf(local)}), a person of another city (${sourceOf(national)}), a 情報照会 (${sourceOf(inquiry)})`,
    );
    say('事務6: 統合端末から市内住民・市外住民の本人確認情報を検索し、機構へ情報照会しました');
  } else {
    await post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed });
    const answer = (await post('TOUGOU_TANMATSU', '/trigger/juminhyo', {
      ...as,
      request: {
        atenaNumber: sampleAtenaNumber(seed),
        requester: { kind: 'SELF', identityDocument: 'MYNUMBER_CARD' },
        items: { scope: 'HOUSEHOLD_ALL', relationship: true },
      },
    })) as { body?: { pdfBase64?: string; verificationCode?: string } };
    const file = join(config.dataDir, `juminhyo-demo-${String(seed)}.pdf`);
    writeFileSync(file, Buffer.from(answer.body?.pdfBase64 ?? '', 'base64'));
    say(
      `affair 3: a 住民票の写し issued at the counter (verification code ${answer.body?.verificationCode ?? '-'}): ${file}`,
    );
    say(
      `事務3: 窓口で住民票の写しを交付しました（照合番号 ${answer.body?.verificationCode ?? '-'}）`,
    );
  }
  say('watch / 確認先:');
  say(`  terminal results     ${simUrl('TOUGOU_TANMATSU')}/results`);
  say(`  access record        npx hub audit access --day ${today}`);
}
