import type { Periodic, ReactorContext } from '../processes.js';
import { anchorLog, lastAnchor } from './anchor-log.js';

// Anchors the log now and then: once AUDIT_ANCHOR_INTERVAL_SECONDS have
// passed since the last anchor (or, when the log has none yet, since this
// process started), everything up to the head is anchored. A quiet log is
// not anchored again (anchorLog finds nothing new); `audit anchor` anchors
// at once. A timer, not a reactor: a reactor that follows every event would
// cost the projector a transaction per batch for a decision made by the clock.

/** How often the clock is looked at: a sixtieth of the interval, between a second and a minute. */
export const checkEveryMs = (intervalMs: number) => Math.min(60_000, Math.max(1_000, Math.round(intervalMs / 60)));

export function logAnchoring({ store, config, now, logger }: ReactorContext): Periodic {
  const intervalMs = config.auditAnchorIntervalSeconds * 1000;
  const startedAt = now().getTime();
  return {
    name: 'audit-anchors',
    everyMs: checkEveryMs(intervalMs),
    async run() {
      const last = await lastAnchor(store.raw);
      const since = last ? Date.parse(last.data.anchoredAt) : startedAt;
      if (now().getTime() - since < intervalMs) return;
      // Another process may anchor first: its anchor is then the last one, and this one gives up quietly.
      await anchorLog(store, now()).catch((error: unknown) => logger.warn({ err: error }, 'could not anchor the log; trying again at the next check'));
    },
  };
}
