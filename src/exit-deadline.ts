import { Worker } from 'node:worker_threads';

// Runs on its own thread, so it fires even when the main thread is stuck (in
// a write to a pipe nobody reads, in a synchronous loop): SIGKILL cannot be
// caught or delayed.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);
`;

/**
 * Makes sure this process is gone `ms` from now, whatever its main thread is
 * doing. The graceful path exits well before; this is the floor under it.
 * Resolves once the watchdog runs.
 */
export function armExitDeadline(ms: number): Promise<void> {
  // No execArgv: a loader given to the main thread (--import) must not need the main thread to start this one.
  const watchdog = new Worker(WATCHDOG, { eval: true, execArgv: [], workerData: { pid: process.pid, ms } });
  // Never what keeps the process alive: a process that exits sooner takes the thread with it.
  watchdog.unref();
  // The thread starts with the help of this one's event loop: armed once it is online.
  return new Promise((resolve) => watchdog.once('online', () => resolve()));
}
