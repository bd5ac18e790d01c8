import type { EventCatalogue } from '../../events/catalogue.js';
import type { LogAnchoredData } from '../../events/audit/anchors.js';
import type { Projection } from '../../projections/projection.js';
import type { ReactorContext } from '../processes.js';
import { anchorLog, lastAnchor } from './anchor-log.js';

// Anchors the log now and then, following it like the other reactors: once
// at least AUDIT_ANCHOR_INTERVAL_SECONDS have passed since the last anchor it
// saw (or, when the log has none yet, since it started), the next events it
// meets are anchored, with everything up to the head. A quiet log is not
// anchored until something new arrives; `audit anchor` anchors at once.

/** Every type the log may hold: today's and the legacy ones read as today's. */
const typesOf = (catalogues: readonly EventCatalogue[]) => catalogues.flatMap((c) => [...Object.keys(c.schemas), ...Object.keys(c.renamed ?? {})]);

export function anchorReactor({ store, config, now, logger }: ReactorContext, catalogues: readonly EventCatalogue[]): Projection {
  const intervalMs = config.auditAnchorIntervalSeconds * 1000;
  const startedAt = now().getTime();
  /** When the last anchor seen was made: unknown until read, once. */
  let lastAt: number | undefined;
  let anchoring = false;

  const due = () => lastAt === undefined || now().getTime() - lastAt >= intervalMs;

  // Outside the batch's transaction, which it must not wait for: embedded
  // PGlite has one connection, and the anchor is read and appended through it.
  async function anchor(): Promise<void> {
    try {
      if (lastAt === undefined) {
        const last = await lastAnchor(store.raw);
        lastAt = last ? Date.parse(last.data.anchoredAt) : startedAt;
      }
      if (!due()) return;
      const at = now();
      // When another process anchored first, its anchor arrives here as an event; when readers
      // did not see the new events yet (a transaction in flight), the next batch tries again.
      if (await anchorLog(store, at)) lastAt = at.getTime();
    } catch (error) {
      logger.warn({ err: error }, 'could not anchor the log; the next events try again');
    } finally {
      anchoring = false;
    }
  }

  return {
    name: 'reactor-audit-anchors',
    canHandle: typesOf(catalogues),
    async apply(_trx, events) {
      for (const event of events) {
        if (event.type === 'LogAnchored') lastAt = Math.max(lastAt ?? Number.NEGATIVE_INFINITY, Date.parse((event.data as LogAnchoredData).anchoredAt) || 0);
      }
      // Its own anchors never start another: only other events do.
      if (anchoring || events.every((e) => e.type === 'LogAnchored') || !due()) return;
      anchoring = true;
      void anchor();
    },
    // A reactor follows the log from where it stopped; replaying it anchors nothing twice, but it is never rebuilt.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}
