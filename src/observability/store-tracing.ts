// A span around each append to the event store, and the trace context
// stamped on events that do not carry one yet (those a job or a reactor
// writes: a request's events already carry its server span's, from
// src/api/metadata.ts), so whoever applies them continues this trace.
import { context, SpanKind } from '@opentelemetry/api';
import type { EventStore } from '../store/port.js';
import { inSpan, traceparentOf, tracingOn } from './tracing.js';

/** `append` itself when tracing is off, so appends pay nothing for it. */
export function tracedAppend(append: EventStore['append']): EventStore['append'] {
  if (!tracingOn()) return append;
  return (stream, events, options) =>
    inSpan('event store append', {
      kind: SpanKind.PRODUCER,
      attributes: { 'event_store.stream': stream, 'event_store.event_types': [...new Set(events.map((e) => e.type))], 'event_store.event_count': events.length, 'event_store.expected_version': String(options.expectedVersion) },
    }, context.active(), async (span) => {
      const traceparent = traceparentOf(span.spanContext());
      const stamped = traceparent ? events.map((event) => (event.metadata.traceparent ? event : { ...event, metadata: { ...event.metadata, traceparent } })) : events;
      const result = await append(stream, stamped, options);
      span.setAttribute('event_store.version', result.version);
      return result;
    });
}
