// Shared by the job tests.
import t from 'tap';

export type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

// A real delay, for the few job tests that must show something did NOT happen
// (a removed or duplicate job never runs, a closed queue starts nothing) or
// that a handler is busy while the worker closes: there is no event to await
// for an absence, so they give it time. Everything else awaits with waiting.ts.
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

