import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

// OTEL_* settings are read with the rest of the configuration: tracing is off
// unless an exporter or an endpoint is given, and a bad value stops the start
// with a message that names the setting (and never repeats a header's value).

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

t.test('off unless an exporter or an endpoint is given', async (t) => {
  t.same(loadConfig({}).tracing, { exporter: 'none' });
  t.same(loadConfig({ OTEL_SERVICE_NAME: 'booking-eu' }).tracing, { exporter: 'none' }, 'a service name alone sends nothing anywhere');
  t.same(loadConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing, { exporter: 'none' }, 'none wins over an endpoint');
  t.same(loadConfig({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }).tracing, { exporter: 'none' }, 'OTEL_SDK_DISABLED turns it all off');
});

t.test('an endpoint turns OTLP on; the general one gets /v1/traces, the traces one is used as given', async (t) => {
  t.match(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing, { exporter: 'otlp', url: 'http://collector:4318/v1/traces', serviceName: 'service-booking', sampler: { kind: 'parentbased_always_on' } });
  t.match(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp' }).tracing, { url: 'https://traces.example.com/otlp' });
  t.match(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing, { url: 'http://localhost:4318/v1/traces' }, 'the specification\'s default endpoint');
  t.match(loadConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'booking-eu' }).tracing, { exporter: 'console', serviceName: 'booking-eu' });
});

t.test('headers and the sampler', async (t) => {
  t.match(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, X-Team=booking', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces' }).tracing, { headers: { 'x-api-key': 'abc==', 'x-team': 'traces' } }, 'decoded; the traces-only ones win');
  t.match(loadConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).tracing, { sampler: { kind: 'parentbased_traceidratio', ratio: 0.25 } });
});

t.test('bad values are refused at start, each named', async (t) => {
  t.match(problemsOf({ OTEL_TRACES_EXPORTER: 'jaeger' }), [/OTEL_TRACES_EXPORTER must be one of otlp, console, none \(got "jaeger"\)/]);
  t.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), [/OTEL_EXPORTER_OTLP_ENDPOINT must start with http:\/\/ or https:\/\//]);
  t.match(problemsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }), [/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not a valid URL/]);
  t.match(problemsOf({ OTEL_SDK_DISABLED: 'yes' }), [/OTEL_SDK_DISABLED must be one of true, false/]);
  t.match(problemsOf({ OTEL_TRACES_SAMPLER: 'sometimes' }), [/OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio/]);
  t.match(problemsOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }), [/OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 \(got "1.5"\)/]);
  t.match(problemsOf({ OTEL_TRACES_SAMPLER_ARG: '0.5' }), [/OTEL_TRACES_SAMPLER_ARG is only read by the traceidratio samplers/]);
  const secret = 'sk_live_do_not_print';
  const headers = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: `x-team=booking,authorization ${secret}` });
  t.match(headers, [/OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value pairs .*entry 2 of 2 is not/]);
  t.notMatch(headers.join('\n'), secret, 'the value is not repeated');
  t.match(problemsOf({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=%E0%A4%A' }), [/OTEL_EXPORTER_OTLP_HEADERS/], 'a broken percent-encoding too');
  t.equal(problemsOf({ OTEL_TRACES_EXPORTER: 'jaeger', PORT: 'x' }).length, 2, 'reported with the other settings\' problems, at once');
});
