// OpenTelemetry tracing (src/observability/tracing.ts): off unless an
// exporter is chosen or an OTLP endpoint is given. The names and meanings are
// the specification's (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
// read here with the rest of the configuration so a bad value stops the start
// with the others, instead of the SDK warning and falling back at runtime.
import type { Settings } from './settings.js';

export type TraceSampler =
  | { readonly kind: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { readonly kind: 'traceidratio' | 'parentbased_traceidratio'; readonly ratio: number };

export type TracingConfig =
  | { readonly exporter: 'none' }
  | { readonly exporter: 'console'; readonly serviceName: string; readonly sampler: TraceSampler }
  | {
      readonly exporter: 'otlp';
      readonly serviceName: string;
      readonly sampler: TraceSampler;
      /** The full URL spans are POSTed to (OTLP/HTTP, JSON). */
      readonly url: string;
      /** Sent with every export (a collector's API key): never logged. */
      readonly headers: Readonly<Record<string, string>>;
    };

/** Where an OTLP/HTTP collector takes traces when only OTEL_TRACES_EXPORTER=otlp is said. */
export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

export function tracingSettings(s: Settings): { tracing: TracingConfig } {
  const disabled = s.oneOf('OTEL_SDK_DISABLED', ['true', 'false'] as const, 'false') === 'true';
  const specificUrl = s.url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const baseUrl = s.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const endpointGiven = s.text('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined || s.text('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined;
  const exporter = s.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'console', 'none'] as const, endpointGiven ? 'otlp' : 'none');
  const headers = { ...otlpHeaders(s, 'OTEL_EXPORTER_OTLP_HEADERS'), ...otlpHeaders(s, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') };
  const sampler = samplerSettings(s);
  const serviceName = s.text('OTEL_SERVICE_NAME') ?? 'service-booking';
  if (disabled || exporter === 'none') return { tracing: { exporter: 'none' } };
  if (exporter === 'console') return { tracing: { exporter, serviceName, sampler } };
  // As the specification says: the signal's own endpoint is used as given, the general one gets /v1/traces.
  const url = specificUrl ?? (baseUrl ? `${baseUrl.replace(/\/+$/, '')}/v1/traces` : DEFAULT_OTLP_TRACES_URL);
  return { tracing: { exporter, serviceName, sampler, url, headers } };
}

function samplerSettings(s: Settings): TraceSampler {
  const kind = s.oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  if (kind !== 'traceidratio' && kind !== 'parentbased_traceidratio') {
    if (s.text('OTEL_TRACES_SAMPLER_ARG') !== undefined) s.problems.push(`OTEL_TRACES_SAMPLER_ARG is only read by the traceidratio samplers (OTEL_TRACES_SAMPLER is ${kind})`);
    return { kind };
  }
  const arg = s.text('OTEL_TRACES_SAMPLER_ARG') ?? '1';
  const ratio = Number(arg);
  if (!/^\d*\.?\d+$/.test(arg) || ratio < 0 || ratio > 1) {
    s.problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "${arg}")`);
    return { kind, ratio: 1 };
  }
  return { kind, ratio };
}

// `key=value,key2=value2`, values percent-encoded (W3C Baggage format, as the
// specification says). The message never repeats a value: it may be an API key.
function otlpHeaders(s: Settings, name: string): Record<string, string> {
  const value = s.text(name);
  if (value === undefined) return {};
  const headers: Record<string, string> = {};
  const entries = value.split(',');
  entries.forEach((entry, i) => {
    const at = entry.indexOf('=');
    const key = entry.slice(0, at).trim();
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      decoded = undefined;
    }
    if (at <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || decoded === undefined || /[\r\n]/.test(decoded)) {
      s.problems.push(`${name} must be a comma-separated list of key=value pairs with percent-encoded values (entry ${i + 1} of ${entries.length} is not; values are not shown)`);
      return;
    }
    headers[key.toLowerCase()] = decoded;
  });
  return headers;
}
