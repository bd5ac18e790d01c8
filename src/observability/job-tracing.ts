// Jobs continue the trace of whoever enqueued them: the queue keeps the
// enqueuer's `traceparent` with the job (an option both adapters carry, not
// job data), and the worker runs the handler inside a `job <name>` span,
// child of it, so one booking can be followed from its request to its SMS.
import { SpanKind } from '@opentelemetry/api';
import { activeTraceparent, contextFrom, inSpan, tracingOn } from './tracing.js';

/** The trace context a job enqueued here carries: the one given, else the active span's (none when tracing is off). */
export function enqueuedTraceparent(given: string | undefined): string | undefined {
  return given ?? activeTraceparent();
}

/** Runs one attempt of a job inside its span (just runs it when tracing is off). */
export function inJobSpan(name: string, traceparent: string | undefined, info: { jobId: string; attempt: number }, run: () => Promise<void>): Promise<void> {
  if (!tracingOn()) return run();
  return inSpan(`job ${name}`, {
    kind: SpanKind.CONSUMER,
    attributes: { 'job.name': name, 'job.id': info.jobId, 'job.attempt': info.attempt },
  }, contextFrom({ traceparent }), run);
}
