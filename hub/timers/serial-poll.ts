/**
 * A store-scanning job run every `pollMs` and on demand, one run at a time: a run never overlaps the
 * previous one, and a failed run does not stop the next. Shared by the timers that scan persisted
 * deadlines with an atomic claim (the 転入通知 overdue scan, the saga runner), so each replica can run
 * them without coordinating in memory.
 */
export interface SerialPoll<T> {
  /** Runs the job now, after any run in progress. */
  run(): Promise<T>;
  /** Stops the schedule; resolves once the run in progress (if any) has ended. */
  stop(): Promise<void>;
}

export function serialPoll<T>(
  job: () => Promise<T>,
  pollMs: number,
  onError: (error: unknown) => void,
): SerialPoll<T> {
  let running: Promise<unknown> = Promise.resolve();
  const run = (): Promise<T> => {
    const next = running.then(job);
    running = next.catch(() => undefined);
    return next;
  };
  const timer =
    pollMs > 0
      ? setInterval(() => {
          run().catch(onError);
        }, pollMs)
      : undefined;
  timer?.unref();
  return {
    run,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
