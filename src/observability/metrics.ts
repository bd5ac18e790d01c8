import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AppendObserver, AppendOutcome } from '../store/measured.js';

/**
 * The metrics of one runtime (one compose(), so one app in a test): its own
 * Registry, never prom-client's global one, so the many apps a test process
 * builds do not share or double-register instruments. What lives outside the
 * HTTP plugin (the store's appends, projection lag, webhook deliveries)
 * registers here; GET /metrics (src/api/metrics.ts) exposes this registry.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Give to measuredAppends (src/store/measured.ts) around the store commands append through. */
  readonly appends: AppendObserver;
}

const OUTCOMES: readonly AppendOutcome[] = ['ok', 'conflict', 'error'];

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { registry, appends: appendMetrics(registry) };
}

function appendMetrics(registry: Registry): AppendObserver {
  const appends = new Counter({
    name: 'event_store_appends_total',
    help: 'Appends to the event store by outcome: ok, conflict (the expected version did not hold), error',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'event_store_append_duration_seconds',
    help: 'Time of one append (checked, encrypted, chained and written), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const events = new Counter({ name: 'event_store_appended_events_total', help: 'Events written by successful appends', registers: [registry] });
  // Children bound once: the append path does no label lookup. Zero-valued
  // series exist from the start, so rate() and the dashboard see every outcome.
  const bound = new Map(OUTCOMES.map((outcome) => [outcome, { count: appends.labels(outcome), time: duration.labels(outcome) }] as const));
  for (const { count } of bound.values()) count.inc(0);
  return {
    appended(outcome, seconds, written) {
      const child = bound.get(outcome)!;
      child.count.inc();
      child.time.observe(seconds);
      if (outcome === 'ok') events.inc(written);
    },
  };
}
