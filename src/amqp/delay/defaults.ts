import { DEFAULTS } from '../../config/defaults.js';

/** Defaults of delayed delivery: DEFAULTS.delay (src/config/defaults.ts), under the name existing imports use. */
export const DELAY_DEFAULTS = DEFAULTS.delay;
