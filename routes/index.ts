/** Every engine route the hub runs by default: affairs 1, 8 and 11 as StepSpec data. */
import type { StepSpec } from '../hub/engine/step.js';
import { affair11Steps } from './affair-11.js';
import { affair1Steps } from './affair-1.js';
import { affair8Steps } from './affair-8.js';

/** The steps of each affair. */
export { affair1Steps, affair8Steps, affair11Steps };

/** The steps of every affair, by route name. */
export const affairRoutes: Readonly<Record<string, readonly StepSpec[]>> = {
  'affair-1': affair1Steps,
  'affair-8': affair8Steps,
  'affair-11': affair11Steps,
};

/** All default steps. */
export const defaultSteps: readonly StepSpec[] = [
  ...affair1Steps,
  ...affair8Steps,
  ...affair11Steps,
];
