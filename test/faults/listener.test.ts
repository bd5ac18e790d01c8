import pg from 'pg';
import t from 'tap';
import { pgNotificationListener } from '../../src/store/postgres-listener.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

t.test('a LISTEN connection that is lost is opened again: notifications arrive after the outage', async (t) => {
  const url = await freshPostgresUrl(t);
  const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
  let notified = 0;
  const unlisten = await pgNotificationListener(proxy.via(url)).listen('faults_channel', () => void notified++);
  t.teardown(unlisten);
  const direct = new pg.Client({ connectionString: url });
  await direct.connect();
  t.teardown(() => direct.end());
  const notify = () => direct.query(`NOTIFY faults_channel`);

  await notify();
  await until(() => notified >= 1 || undefined);

  proxy.cut();
  const cutCount = proxy.forwarded;
  // It tries again (and is refused) while the server is unreachable.
  await until(() => proxy.refused > 0 || undefined);
  proxy.restore();
  await until(() => proxy.forwarded > cutCount || undefined, 30_000);
  const before = notified;
  await until(async () => {
    await notify();
    return notified > before || undefined;
  }, 30_000);
  t.ok(notified > before, 'notified again after the restore');
});
