import type {} from '@fastify/under-pressure';
import { test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { eventCount } from '../helpers/clients.js';
import { startRuntime } from '../helpers/runtime.js';
import { parseScrape } from '../helpers/scrape.js';
import { until } from '../helpers/waiting.js';

/** Holds this process's event loop: nothing else runs, timers included, until it returns. */
function stallEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('a stalled event loop sheds requests with 503, Retry-After and { detail }; liveness and metrics still answer; then it recovers', async (t) => {
  // 50 ms against a 1 s stall: over a 100 ms window (at most ten 10 ms ticks before it) the mean is well past the limit.
  const runtime = await startRuntime(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '50', EVENT_LOOP_SAMPLE_INTERVAL_MS: '100' } });
  const { app } = runtime;
  await until(async () => ((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200 ? true : undefined), 30_000, 'the service to be ready');
  const events = await eventCount(runtime);

  stallEventLoop(1000);
  // The next sample sees the stall; polled between turns of the loop, not by a timer that could let the window pass.
  const deadline = Date.now() + 10_000;
  while (!app.isUnderPressure()) {
    if (Date.now() > deadline) throw new Error('the stall was not seen');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const [register, ready, live, metrics] = await Promise.all([
    app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { phone: uniquePhone(), password: 'person-password' } }),
    app.inject({ method: 'GET', url: '/health/ready' }),
    app.inject({ method: 'GET', url: '/health/live' }),
    app.inject({ method: 'GET', url: '/metrics' }),
  ]);
  t.equal(register.statusCode, 503, 'a command is shed');
  t.equal(register.headers['retry-after'], '10', 'with Retry-After');
  t.same(register.json(), { detail: 'The server is busy; try again in 10 seconds.' }, 'in the documented error format');
  t.equal(ready.statusCode, 503, 'readiness is shed too: the balancer stops sending work');
  t.same(ready.json(), { status: 'overloaded', checks: {}, projections: [], jobs: null }, 'in its own documented shape');
  t.equal(ready.headers['retry-after'], '10');
  t.equal(live.statusCode, 200, 'liveness answers: a stall is no reason to restart the process');
  t.equal(metrics.statusCode, 200, 'the scrape answers: it is how the stall is seen');
  t.equal(await eventCount(runtime), events, 'the shed command appended nothing');

  await until(async () => ((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200 ? true : undefined), 30_000, 'the service to recover');
  const scraped = parseScrape((await app.inject({ method: 'GET', url: '/metrics' })).body);
  t.ok((scraped.value('http_requests_shed_total') ?? 0) >= 2, 'shed requests are counted');
  const registered = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { phone: uniquePhone(), password: 'person-password' } });
  t.equal(registered.statusCode, 201, 'once recovered, commands are served again');
});

test('load shedding settings are checked at start', async (t) => {
  t.same(loadConfig({ DATABASE_URL: 'postgres://db/service' }).loadShedding, { maxEventLoopDelayMs: 1000, sampleIntervalMs: 1000 }, 'defaults with PostgreSQL');
  t.same(loadConfig({}).loadShedding.maxEventLoopDelayMs, 0, 'off by default embedded: PGlite works on the event loop itself');
  t.same(loadConfig({ MAX_EVENT_LOOP_DELAY_MS: '800' }).loadShedding.maxEventLoopDelayMs, 800, 'embedded, when asked');
  t.same(loadConfig({ MAX_EVENT_LOOP_DELAY_MS: '0' }).loadShedding.maxEventLoopDelayMs, 0, '0 turns it off');
  t.throws(() => loadConfig({ MAX_EVENT_LOOP_DELAY_MS: 'soon' }), ConfigError);
  t.throws(() => loadConfig({ EVENT_LOOP_SAMPLE_INTERVAL_MS: '5' }), ConfigError, 'no finer than the monitor resolution (10 ms)');
});

test('with shedding off (MAX_EVENT_LOOP_DELAY_MS=0) a stall sheds nothing', async (t) => {
  const runtime = await startRuntime(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '0' } });
  stallEventLoop(300);
  t.equal((await runtime.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
  t.equal(runtime.app.hasDecorator('isUnderPressure'), false, 'no monitor is installed');
});
