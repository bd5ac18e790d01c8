import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import t, { type Test } from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';
import { until, waitFor } from '../helpers/waiting.js';

// The worker's side: codes reach a real HTTP gateway on loopback, failures are
// retried with backoff, a job that gives up is kept and shown, and a Redis
// outage at command time loses nothing.

const phone = '+79517586284';

interface Gateway {
  readonly url: string;
  readonly received: { auth: string | undefined; body: { to: string; text: string } }[];
  /** Status to answer for the n-th request (0-based). */
  answer: (n: number) => number;
}

async function gateway(t: Test): Promise<Gateway> {
  const state: Gateway = { url: '', received: [], answer: () => 200 };
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const n = state.received.length;
    state.received.push({ auth: request.headers.authorization, body: JSON.parse(body) as { to: string; text: string } });
    response.writeHead(state.answer(n), { 'content-type': 'application/json' }).end('{"status":"whatever the gateway says"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return Object.assign(state, { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/send` });
}

const smsEnv = (gw: Gateway) => ({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url, SMS_HTTP_AUTH_HEADER: 'Bearer gateway-key', JOB_BACKOFF_MS: '50' });

t.test('the worker sends the code through the HTTP gateway, retrying its failures', async (t) => {
  const gw = await gateway(t);
  gw.answer = (n) => (n < 2 ? 503 : 200);
  const { app } = await startRuntime(t, { redis: true, env: smsEnv(gw) });
  t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone } })).status, 201);
  await waitFor('three tries at the gateway', () => gw.received.length >= 3, 15_000);
  t.equal(gw.received.length, 3, 'two failures, then delivered; nothing after');
  t.equal(gw.received[2]!.auth, 'Bearer gateway-key');
  t.equal(gw.received[2]!.body.to, phone);
  const code = /code is (\d{6})/.exec(gw.received[2]!.body.text)![1]!;
  t.not(gw.received[0]!.body.text, gw.received[2]!.body.text, 'each try makes a fresh code');
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 200, 'the delivered code verifies');
});

t.test('a job that keeps failing is kept, visible in /health/ready, with ids only', async (t) => {
  const gw = await gateway(t);
  gw.answer = () => 500;
  const opsToken = 'ops-token-for-tests-0123456789abcdef';
  const runtime = await startRuntime(t, { redis: true, env: { ...smsEnv(gw), OPS_TOKEN: opsToken } });
  await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone } });
  const failed = await until(async () => {
    const jobs = await runtime.jobs.failed();
    return jobs.length > 0 ? jobs : undefined;
  }, 15_000, 'the job to fail');
  t.equal(gw.received.length, 5, 'five attempts');
  t.equal(failed[0]!.attempts, 5);
  t.match(failed[0]!.error, /500/);
  t.same(Object.keys(failed[0]!.data).sort(), ['eventId', 'stream'], 'the job carries ids only');
  const ready = await call(runtime.app, 'GET', '/health/ready', { token: opsToken });
  t.equal(ready.body.jobs.failed, 1, 'the operator (OPS_TOKEN) sees the failed job');
  t.ok(runtime.logs.some((line) => line.includes('"level":50') && line.includes('send-code')), 'the failure is logged as an error');
});

async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

function startRedis(port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  return child;
}

/** Whether something accepts connections on the port now. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

t.test('Redis down when the command runs: nothing is lost, the reactor catches up', async (t) => {
  const port = await freePort();
  let redis = startRedis(port);
  await waitFor('redis to accept connections', () => accepting(port), 15_000);
  t.teardown(() => void redis.kill('SIGKILL'));
  const gw = await gateway(t);
  const runtime = await startRuntime(t, { env: { ...smsEnv(gw), REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'outage' } });

  redis.kill('SIGKILL');
  await once(redis, 'exit');
  const created = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone } });
  t.equal(created.status, 201, 'the command does not need Redis');
  const failing = await until(() => runtime.deps.projectionStatus().find((p) => p.name === 'reactor-code-delivery' && p.state === 'failing'));
  t.ok(failing.lastError, 'the stuck reactor is visible with its error');
  const ready = await call(runtime.app, 'GET', '/health/ready');
  t.equal(ready.status, 503);
  t.equal(ready.body.checks.redis.status, 'down');

  redis = startRedis(port);
  await waitFor('the code at the gateway', () => gw.received.length >= 1, 40_000);
  t.equal(gw.received[0]!.body.to, phone, 'the code was sent once Redis was back');
  await until(() => runtime.deps.projectionStatus().find((p) => p.name === 'reactor-code-delivery' && p.state === 'running'));
});
