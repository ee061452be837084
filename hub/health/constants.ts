/** How often each replica reads the paused systems (ms); the CLI says how soon a pause takes effect. */
export const PAUSE_POLL_MS = 2000;
