/**
 * The 中間サーバ simulator: takes 住民票関係情報 updates forwarded by 団体内統合宛名 (1-⑫), and plays
 * its part of affair 5 (`fugo.ts`): 処理通番 for each pair, the 符号 keyed by them.
 */
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { chukanServerDescriptor } from './descriptor.js';
import { chukanFugoLedger } from './fugo.js';

/** The 中間サーバ simulator. */
export function chukanServerSimulator(port: number, ingress?: Ingress): Simulator {
  const sim = createSimulator({
    system: chukanServerDescriptor.system,
    port,
    async onInbox(inbound) {
      const body = jsonOf(inbound);
      return (await ledger.handle(inbound, body)) ?? { body };
    },
  });
  const ledger = chukanFugoLedger(sim, ingress);
  return sim;
}
