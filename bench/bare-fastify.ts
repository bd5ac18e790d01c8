// The bare Fastify ceiling: the same framework and load generator as the
// service, with no work behind the routes. Run as a child process by run.ts.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.post('/echo', async (request) => request.body);

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.send?.({ port });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
