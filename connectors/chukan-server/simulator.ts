/** The 中間サーバ simulator: takes 住民票関係情報 updates forwarded by 団体内統合宛名. */
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { chukanServerDescriptor } from './descriptor.js';

/** The 中間サーバ simulator. */
export function chukanServerSimulator(port: number): Simulator {
  return createSimulator({ system: chukanServerDescriptor.system, port });
}
