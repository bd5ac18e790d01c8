import { once } from 'node:events';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freshPostgresUrl } from '../helpers/databases.js';
import { startService } from '../helpers/service-process.js';

// The service as `npm start` runs it, with an OTLP endpoint set: its spans
// reach the collector over OTLP/HTTP, with the headers configured, and those
// still buffered when SIGTERM comes are sent before the process exits (the
// batch processor would otherwise wait 5 s, longer than this process lives).

t.test('spans reach an OTLP/HTTP collector, the last ones flushed by a graceful shutdown', async (t) => {
  const received: { url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  t.teardown(() => collector.close());
  const address = collector.address();
  const collectorPort = typeof address === 'object' && address ? address.port : 0;

  const dataDir = await mkdtemp(join(tmpdir(), 'tracing-export-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    DATABASE_URL: await freshPostgresUrl(t),
    PORT: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%3Dv',
    OTEL_SERVICE_NAME: 'booking-under-test',
  };
  const { child, url, lines } = await startService(env);
  t.teardown(() => void child.kill('SIGKILL'));

  const traceId = '5b8efff798038103d269b633813fc60c';
  const response = await fetch(`${url}/health/live`, { headers: { traceparent: `00-${traceId}-eee19b7ec3c1b174-01` } });
  t.equal(response.status, 200);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  t.equal(code, 0, 'a clean exit');

  const traces = received.filter((r) => r.url === '/v1/traces');
  const exported = traces.map((r) => r.body).join('\n');
  t.match(exported, traceId, 'the request\'s span was exported, in the caller\'s trace');
  t.match(exported, 'GET /health/live');
  t.match(exported, 'booking-under-test', 'with the service name');
  t.equal(traces[0]?.headers['x-collector-key'], 'k=v', 'with the configured headers');
  t.notOk(lines.some((line) => line.includes('k=v') || line.includes('k%3Dv')), 'the header value is not logged');
  const logged = lines.map((line) => { try { return JSON.parse(line) as { msg?: string; trace_id?: string }; } catch { return {}; } });
  t.ok(logged.some((l) => l.msg === 'request completed' && l.trace_id === traceId), 'the request\'s log line has the trace id');
});
