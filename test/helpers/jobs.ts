// Shared by the job tests.
import t from 'tap';
import type { Logger } from '../../src/jobs/queue.js';

export type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export { recordingLogger, type LogEntry } from './logs.js';
export { waitFor } from './waiting.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

