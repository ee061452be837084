/**
 * `hub demo affair-5|affair-9|affair-10` (the 符号, the 送付先情報, the card events): what each asks the
 * simulated systems to do. Kept apart from demo.ts, which registers them.
 */
import type { SimSystem } from '../../connectors/runtime/systems.js';
import { say } from './output.js';

/** What a demo may use of demo.ts. */
export interface DemoTools {
  readonly post: (system: SimSystem, path: string, body: unknown) => Promise<unknown>;
  readonly watch: (systems: readonly SimSystem[]) => void;
  readonly simUrl: (system: SimSystem) => string;
}

/** The demos of affairs 5, 9 and 10, by name. */
export const demos5910: Readonly<
  Record<string, (count: number | undefined, seed: number, tools: DemoTools) => Promise<void>>
> = {
  'affair-5': async (count, seed, { post, watch, simUrl }) => {
    const pairs = count ?? 1000;
    await post('TOUGOU_ATENA', '/trigger/fugo-pairs', { count: pairs, first: seed, bad: [1] });
    say(
      `affair 5: ${String(pairs)} pairs sent by 団体内統合宛名 (the first with a 個人番号 nobody holds); resend it with: curl -X POST ${simUrl('TOUGOU_ATENA')}/trigger/fugo-resend`,
    );
    say(`事務5: 統合宛名から ${String(pairs)} 件のペアを送りました（先頭は機構にない個人番号）`);
    watch(['CHUKAN_SERVER', 'TOUGOU_ATENA', 'JUKINET_CS']);
    say(`  符号 by 処理通番      ${simUrl('CHUKAN_SERVER')}/fugo`);
    say(`  refusals            ${simUrl('TOUGOU_ATENA')}/fugo-reports`);
  },
  'affair-9': async (count, _seed, { post, watch, simUrl }) => {
    const records = count ?? 10_000;
    await post('KIZON_JUKI', '/trigger/delivery-addresses', {
      count: records,
      bad: [1, Math.max(1, Math.floor(records / 2))],
    });
    say(`affair 9: ${String(records)} 送付先情報 extracted at 既存住基 (2 of them broken)`);
    say(`事務9: 既存住基で送付先情報 ${String(records)} 件を抽出しました（うち 2 件は不備）`);
    watch(['JUKINET_CS', 'KIZON_JUKI']);
    say(`  imports             ${simUrl('CARD_MGMT')}/delivery-addresses`);
  },
  'affair-10': async (_count, seed, { post, watch }) => {
    const life = ['ISSUED', 'SUSPENDED', 'SUSPENSION_LIFTED', 'REVOKED', 'RECOVERED'];
    await post('KIZON_JUKI', '/trigger/card-events', {
      events: [
        ...life.map((cardEvent) => ({ seed, cardEvent })),
        // Refused by the card system: the card is not suspended (a dead letter with its reason).
        { seed: seed + 1, cardEvent: 'ISSUED' },
        { seed: seed + 1, cardEvent: 'SUSPENSION_LIFTED' },
      ],
    });
    say(
      'affair 10: one card through 交付 → 一時停止 → 一時停止解除 → 廃止 → 回収, and one 一時停止解除 the card system refuses (see: npx hub dlq list)',
    );
    say(
      '事務10: カード 1 枚の交付〜回収と、カード管理システムが拒否する一時停止解除を 1 件送りました',
    );
    watch(['CARD_MGMT']);
  },
};
