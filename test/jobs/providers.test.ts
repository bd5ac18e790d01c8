import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { consoleSms, httpSms, renderTemplate } from '../../src/jobs/providers/sms.js';
import { SMTPServer } from 'smtp-server';
import { consoleEmail, smtpEmail } from '../../src/jobs/providers/email.js';
import type { Logger } from '../../src/jobs/queue.js';
import type { Tap } from '../helpers/jobs.js';
import { recordingLogger } from '../helpers/logs.js';

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

/** A real SMTP server on an ephemeral port (no TLS, PLAIN auth), or one that refuses every recipient. */
async function mailServer(t: Tap, options: { refuse?: boolean } = {}): Promise<{ url: string; received: { from: string; to: string[]; user: string | undefined; raw: string }[] }> {
  const received: { from: string; to: string[]; user: string | undefined; raw: string }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: false,
    onAuth: (auth, _session, done) => (auth.username === 'mailer' && auth.password === 's3cret' ? done(null, { user: auth.username }) : done(new Error('Invalid credentials'))),
    onRcptTo: (_address, _session, done) => (options.refuse ? done(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 })) : done()),
    onData: (stream, session, done) => {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, raw });
        done();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://mailer:s3cret@127.0.0.1:${port}`, received };
}

t.test('smtpEmail delivers through a real SMTP server, authenticated', async (t) => {
  const server = await mailServer(t);
  const email = smtpEmail({ url: server.url, from: 'no-reply@clinic.example' });
  await email.send('anna@clinic.example', 'Your code', 'Your code is 123456');
  t.equal(server.received.length, 1);
  const [message] = server.received;
  t.match(message, { from: 'no-reply@clinic.example', to: ['anna@clinic.example'], user: 'mailer' });
  t.match(message!.raw, /Subject: Your code/);
  t.match(message!.raw, /Your code is 123456/);
});

t.test('a refused SMTP delivery throws with the server\'s code, never the message text', async (t) => {
  const server = await mailServer(t, { refuse: true });
  const email = smtpEmail({ url: server.url, from: 'no-reply@clinic.example' });
  const error = await email.send('anna@clinic.example', 'Your code', 'Your code is 654321').then(() => undefined, (e: unknown) => e as Error);
  t.ok(error, 'send throws');
  t.match(error!.message, /SMTP delivery failed \(550\)/);
  t.notMatch(error!.message, /654321|s3cret/, 'neither the code nor the password in the error');
});
