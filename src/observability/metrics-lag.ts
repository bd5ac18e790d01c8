import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../jobs/queue.js';
import type { ProjectionStatus } from '../projections/runner.js';
import type { Distance, LogDistance } from '../store/log-distance.js';
import { parsePosition } from '../store/port.js';

/** A scrape waits no longer than this for the distances; a slow store leaves the lag series out of that scrape. */
const MEASURE_TIMEOUT_MS = 2000;

/**
 * projection_lag_events and projection_lag_seconds for every runner of the
 * process (projections and reactors): measured when scraped, once per distinct
 * position (most runners sit at the same one), never per event.
 */
export function projectionLagMetrics(registry: Registry, runners: () => readonly ProjectionStatus[], distance: LogDistance): void {
  // Both gauges are collected in one scrape at once: they share one measurement.
  let inFlight: Promise<ReadonlyMap<string, Distance>> | undefined;
  const measure = (): Promise<ReadonlyMap<string, Distance>> => {
    if (!inFlight) {
      inFlight = measureAll(runners(), distance);
      const done = () => void (inFlight = undefined);
      inFlight.then(done, done);
    }
    return inFlight;
  };

  const gauge = (name: string, help: string, pick: (d: Distance) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const distances = await measure().catch(() => undefined);
        if (!distances) return;
        for (const [projection, d] of distances) this.set({ projection }, pick(d));
      },
    });
  gauge('projection_lag_events', 'Events recorded after the position of the projection or reactor (0: caught up)', (d) => d.events);
  gauge('projection_lag_seconds', 'How long the oldest event the projection or reactor has not reached has waited since it was recorded (0: caught up)', (d) => d.seconds);
}

async function measureAll(statuses: readonly ProjectionStatus[], distance: LogDistance): Promise<ReadonlyMap<string, Distance>> {
  const byPosition = new Map<string, Promise<Distance>>();
  const result = new Map<string, Distance>();
  const work = statuses.map(async ({ name, position }) => {
    const from = parsePosition(position);
    if (!from) return;
    let measured = byPosition.get(position);
    if (!measured) byPosition.set(position, (measured = distance.behind(from)));
    result.set(name, await measured);
  });
  await withTimeout(Promise.all(work), MEASURE_TIMEOUT_MS);
  return result;
}
