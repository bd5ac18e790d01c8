import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { consoleSms, httpSms, renderTemplate } from '../../src/jobs/providers/sms.js';
import { consoleEmail } from '../../src/jobs/providers/email.js';
import type { Logger } from '../../src/jobs/queue.js';
import { recordingLogger, type Tap } from './fixtures/support.js';

// Compile-time proof that Fastify's (pino) logger can be passed wherever a Logger is expected.
const fastifyLoggerFits = (l: FastifyBaseLogger): Logger => l;
void fastifyLoggerFits;

interface Received { method?: string; headers: IncomingMessage['headers']; body: string }

/** A real HTTP server on an ephemeral port playing the SMS gateway. */
async function gateway(t: Tap, reply: (res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body });
      reply(res);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/send?key=k-123`, received };
}

const template = '{"phone":"{{to}}","message":"{{text}}","sender":"Clinic"}';

t.test('httpSms posts the templated body with the auth header', async (t) => {
  const gw = await gateway(t, (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  const sms = httpSms({ url: gw.url, authHeader: 'Bearer s3cr3t', bodyTemplate: template });
  const text = 'Your code is 4821.\nQuote "x" \\ {{to}}';
  await sms.send('+79517586284', text);
  t.equal(gw.received.length, 1);
  const [req] = gw.received;
  t.equal(req?.method, 'POST');
  t.equal(req?.headers.authorization, 'Bearer s3cr3t');
  t.equal(req?.headers['content-type'], 'application/json');
  t.same(JSON.parse(req?.body ?? ''), { phone: '+79517586284', message: text, sender: 'Clinic' }, 'values are JSON-escaped, placeholders in values stay literal');
});

t.test('httpSms sends no Authorization header when none is configured, and honours contentType', async (t) => {
  const gw = await gateway(t, (res) => res.writeHead(204).end());
  await httpSms({ url: gw.url, bodyTemplate: template, contentType: 'application/vnd.gateway+json' }).send('+15550100', 'hi');
  t.equal(gw.received[0]?.headers.authorization, undefined);
  t.equal(gw.received[0]?.headers['content-type'], 'application/vnd.gateway+json');
});

t.test('a non-2xx answer throws with the status and without the message or the reply', async (t) => {
  const gw = await gateway(t, (res) => res.writeHead(500).end('internal error while sending "Your code is 4821"'));
  const sms = httpSms({ url: gw.url, authHeader: 'Bearer s3cr3t', bodyTemplate: template });
  const err = await sms.send('+79517586284', 'Your code is 4821').then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof Error);
  const message = (err as Error).message;
  t.match(message, /500/);
  for (const secret of ['4821', 'code', '+79517586284', 's3cr3t', 'k-123', 'internal error']) {
    t.notOk(message.includes(secret), `"${secret}" is not in the error`);
  }
});

t.test('a gateway that does not answer in time makes send throw', async (t) => {
  const gw = await gateway(t, () => { /* never answers */ });
  const started = Date.now();
  await t.rejects(httpSms({ url: gw.url, bodyTemplate: template, timeoutMs: 200 }).send('+79517586284', 'Your code is 4821'), {
    message: /did not answer within 200 ms/,
  });
  t.ok(Date.now() - started < 2000, 'it gave up near the timeout');
});

t.test('an unreachable gateway throws without the URL', async (t) => {
  const gw = await gateway(t, (res) => res.end());
  const closedPort = gw.url.replace(/:\d+\//, ':1/');
  const err = await httpSms({ url: closedPort, bodyTemplate: template }).send('+1555', 'Your code is 4821').then(() => undefined, (e: unknown) => e);
  t.match((err as Error).message, /^SMS gateway request failed/);
  t.notOk((err as Error).message.includes('k-123'));
});

t.test('renderTemplate substitutes in one pass', async (t) => {
  t.equal(renderTemplate('{{to}}|{{text}}|{{other}}', { to: '{{text}}', text: 'a"b' }), '{{text}}|a\\"b|{{other}}');
});

t.test('console providers log the message for development', async (t) => {
  const { logger, entries } = recordingLogger();
  await consoleSms(logger).send('+79517586284', 'Your code is 4821');
  await consoleEmail(logger).send('a@example.com', 'Verify', 'Your code is 4821');
  t.match(entries, [
    { level: 'info', obj: { to: '+79517586284', text: 'Your code is 4821' } },
    { level: 'info', obj: { to: 'a@example.com', subject: 'Verify', text: 'Your code is 4821' } },
  ]);
});
