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
  // The append path only adds to plain numbers and observes one bound histogram
  // child (about a microsecond in all); the counters read the numbers when scraped.
  const counted: Record<AppendOutcome, number> = { ok: 0, conflict: 0, error: 0 };
  let written = 0;
  new Counter({
    name: 'event_store_appends_total',
    help: 'Appends to the event store by outcome: ok, conflict (the expected version did not hold), error',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      // Every outcome is a series from the start, so rate() and the dashboard see each one.
      for (const outcome of OUTCOMES) this.inc({ outcome }, counted[outcome]);
    },
  });
  new Counter({
    name: 'event_store_appended_events_total',
    help: 'Events written by successful appends',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(written);
    },
  });
  const duration = new Histogram({
    name: 'event_store_append_duration_seconds',
    help: 'Time of one append (checked, encrypted, chained and written), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const timed = { ok: duration.labels('ok'), conflict: duration.labels('conflict'), error: duration.labels('error') };
  return {
    appended(outcome, seconds, events) {
      counted[outcome]++;
      if (outcome === 'ok') written += events;
      timed[outcome].observe(seconds);
    },
  };
}
