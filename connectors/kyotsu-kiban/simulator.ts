/** The 共通基盤 simulator: takes 宛名 updates. */
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { kyotsuKibanDescriptor } from './descriptor.js';

/** The 共通基盤 simulator. */
export function kyotsuKibanSimulator(port: number): Simulator {
  return createSimulator({ system: kyotsuKibanDescriptor.system, port });
}
