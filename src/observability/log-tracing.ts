// Every log line written inside a span says which: `trace_id` and `span_id`
// of the active span (a projector's batch, a job and the SMS it sends, an
// append), so a log search by trace id finds what the trace shows. A
// request's lines get theirs from its logger's bindings (http-tracing.ts),
// which this leaves alone rather than repeat the keys.
import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { tracingOn } from './tracing.js';

/** A pino `mixin`: nothing while tracing is off. A new object each time: pino merges the line into it. */
export function traceLogMixin(_line: object, _level: number, logger: Logger): object {
  if (!tracingOn()) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  if ('trace_id' in logger.bindings()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
