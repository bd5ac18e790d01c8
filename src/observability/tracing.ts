// OpenTelemetry tracing with the official SDK: one trace follows a request
// from HTTP (http-tracing.ts) through the events it appends (store-tracing.ts)
// into the projectors and reactors that apply them (projection-tracing.ts)
// and the jobs those enqueue (src/jobs/*). The link across the log is the
// W3C `traceparent` each event keeps in its metadata; across the queue, the
// job's own `traceparent` option.
//
// Off unless OTEL_* settings ask for it (src/config/tracing.ts). Off, nothing
// is registered with the API: its tracer is a no-op, and every wrapper here
// checks `tracingOn()` once, where it is built, and hands back the plain
// function, so the hot paths (appends, projector batches) pay nothing.
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type SpanContext, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TraceSampler, TracingConfig } from '../config/tracing.js';

export interface Tracing {
  /** Ends tracing: spans still buffered are exported first (bounded by the exporter's timeout). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where spans go instead of the configured exporter (tests: the SDK's InMemorySpanExporter), exported as each ends. */
  readonly exporter?: SpanExporter;
  /** The service name when `config` names none (config 'none' with a test exporter). */
  readonly serviceName?: string;
}

const TRACER_NAME = 'service-booking';
let provider: NodeTracerProvider | undefined;
let tracer: Tracer | undefined;

/** Whether spans are being made in this process. */
export function tracingOn(): boolean {
  return provider !== undefined;
}

/**
 * Starts the SDK for this process (once; main.ts calls it before anything is
 * composed, so the wrappers see it on). With exporter 'none' and no test
 * exporter, nothing is started.
 */
export async function startTracing(config: TracingConfig, options: TracingOptions = {}): Promise<Tracing> {
  if (!options.exporter && config.exporter === 'none') return { shutdown: async () => undefined };
  if (provider) throw new Error('tracing is already started in this process');
  // The SDK and its exporter (protobuf and all) are loaded only when tracing is on: off, a start pays nothing for them.
  const [{ resourceFromAttributes }, base, { NodeTracerProvider }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor } = base;
  const exporter = options.exporter ?? (await configuredExporter(config, base));
  if (!exporter) return { shutdown: async () => undefined };
  const processor: SpanProcessor = options.exporter || config.exporter === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const started = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.exporter === 'none' ? (options.serviceName ?? TRACER_NAME) : config.serviceName }),
    sampler: config.exporter === 'none' ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : samplerOf(config.sampler, base),
    spanProcessors: [processor],
  });
  // W3C trace context only: baggage is not read from callers (it could carry anything into our spans).
  started.register({ propagator: new W3CTraceContextPropagator() });
  provider = started;
  tracer = trace.getTracer(TRACER_NAME);
  return {
    async shutdown() {
      if (provider !== started) return;
      provider = undefined;
      tracer = undefined;
      try {
        await started.shutdown();
      } finally {
        // Lets a later startTracing (tests) register again.
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

type SdkBase = typeof import('@opentelemetry/sdk-trace-base');

async function configuredExporter(config: TracingConfig, base: SdkBase): Promise<SpanExporter | undefined> {
  if (config.exporter === 'none') return undefined;
  if (config.exporter === 'console') return new base.ConsoleSpanExporter();
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: config.url, headers: { ...config.headers } });
}

function samplerOf(sampler: TraceSampler, { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler }: SdkBase): Sampler {
  switch (sampler.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(sampler.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampler.ratio) });
  }
}

const w3c = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (carrier: Readonly<Record<string, unknown>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, unknown>>, key: string) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/**
 * The context a `traceparent` (and `tracestate`) continues: ROOT_CONTEXT (a
 * new trace) when absent or malformed, never an error. Works with the SDK
 * off: the propagator only parses.
 */
export function contextFrom(carrier: Readonly<Record<string, unknown>>): Context {
  if (typeof carrier.traceparent !== 'string') return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, carrier, headerGetter);
}

/** A span's context as a W3C `traceparent` header value; undefined for an invalid (no-op) context. */
export function traceparentOf(spanContext: SpanContext): string | undefined {
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The `traceparent` of the span active here, or undefined (always, when tracing is off). */
export function activeTraceparent(): string | undefined {
  if (!provider) return undefined;
  const span = trace.getActiveSpan();
  return span ? traceparentOf(span.spanContext()) : undefined;
}

/** Starts a span (with the SDK off, a no-op one) that is not made active: the caller ends it. */
export function startSpan(name: string, options: SpanOptions, parent: Context): Span {
  return (tracer ?? trace.getTracer(TRACER_NAME)).startSpan(name, options, parent);
}

/**
 * Runs `work` inside a new span, child of `parent`, active for everything
 * `work` awaits; a failure is recorded on the span and rethrown.
 */
export function inSpan<T>(name: string, options: SpanOptions, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, options, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `error`: its message and type, never the data it was working on. */
export function failed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
