// The settings of how the service watches itself: when it sheds load.
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

// Embedded, PGlite runs the database's own work on the service's event loop:
// a long query or its start is a stall that shedding cannot relieve, and on a
// busy machine it would refuse the first requests after a start. So shedding
// is on by default with PostgreSQL only; MAX_EVENT_LOOP_DELAY_MS, when given, holds either way.
export function observabilitySettings(s: Settings): Pick<Config, 'loadShedding'> {
  const embedded = s.text('DATABASE_URL') === undefined;
  return {
    loadShedding: {
      maxEventLoopDelayMs: s.integer('MAX_EVENT_LOOP_DELAY_MS', embedded ? 0 : 1000, 0, 60_000),
      sampleIntervalMs: s.integer('EVENT_LOOP_SAMPLE_INTERVAL_MS', 1000, 10, 10_000),
    },
  };
}
