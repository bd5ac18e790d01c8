// The settings of how the service watches itself: when it sheds load.
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

export function observabilitySettings(s: Settings): Pick<Config, 'loadShedding'> {
  return {
    loadShedding: {
      maxEventLoopDelayMs: s.integer('MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      sampleIntervalMs: s.integer('EVENT_LOOP_SAMPLE_INTERVAL_MS', 1000, 10, 10_000),
    },
  };
}
