import type { Logger } from '../jobs/queue.js';
import type { Periodic } from './processes.js';

/**
 * Runs each task every `everyMs`, one run at a time (the next tick is set
 * when a run ends, so a slow run never overlaps itself); the timers do not
 * keep the process alive, and stop() waits for runs in flight.
 */
export function startPeriodic(tasks: readonly Periodic[], logger: Logger): { stop(): Promise<void> } {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const schedule = (task: Periodic) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = task.run().catch((error: unknown) => logger.warn({ task: task.name, err: error }, 'periodic task failed; it runs again at the next tick'));
      running.add(run);
      void run.finally(() => {
        running.delete(run);
        if (!stopped) schedule(task);
      });
    }, task.everyMs).unref();
    timers.add(timer);
  };
  for (const task of tasks) schedule(task);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(running);
    },
  };
}
