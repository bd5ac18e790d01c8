// Projectors and reactors continue the trace of the events they apply: the
// events of a batch are applied in runs of consecutive events written under
// one trace context (one request, one job), each run inside a span that is a
// child of that context. A reactor's jobs are enqueued inside that span, so
// they carry it on (src/jobs/*). Events written without tracing are applied
// as before, without a span. Cutting a batch into runs changes nothing for a
// projection: the log reaches it in batches cut anywhere already.
import { SpanKind } from '@opentelemetry/api';
import type { Projection } from '../projections/projection.js';
import type { StoredEvent } from '../store/port.js';
import { contextFrom, inSpan, tracingOn } from './tracing.js';

/** The projection itself when tracing is off. */
export function tracedProjection(projection: Projection): Projection {
  if (!tracingOn()) return projection;
  return {
    ...projection,
    async apply(trx, events) {
      for (const run of runsByTrace(events)) {
        const traceparent = run[0]?.metadata.traceparent;
        if (!traceparent) {
          await projection.apply(trx, run);
          continue;
        }
        await inSpan(`apply ${projection.name}`, {
          kind: SpanKind.CONSUMER,
          attributes: { 'projection.name': projection.name, 'event_store.event_types': [...new Set(run.map((e) => e.type))], 'event_store.event_count': run.length, 'event_store.stream': run[0]?.stream ?? '' },
        }, contextFrom({ traceparent }), () => projection.apply(trx, run));
      }
    },
  };
}

function runsByTrace(events: readonly StoredEvent[]): StoredEvent[][] {
  const runs: StoredEvent[][] = [];
  for (const event of events) {
    const last = runs.at(-1);
    if (last && last[0]?.metadata.traceparent === event.metadata.traceparent) last.push(event);
    else runs.push([event]);
  }
  return runs;
}
