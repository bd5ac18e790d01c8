import t from 'tap';
import { createCommandHandler } from '../../src/commands/handler.js';
import { clientAccountsProjection, findClientAccount } from '../../src/projections/clients/client-accounts.js';
import { createAwaitProjections } from '../../src/projections/read-your-writes.js';
import { ProjectionRunner, type Logger } from '../../src/projections/runner.js';
import type { Position } from '../../src/store/port.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { registerOne } from '../helpers/client-book.js';
import { migratedProcess, openProcess } from '../helpers/store-events.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

t.test('a runner in this process: awaiting the position makes the new row visible at once', async (t) => {
  const url = await freshPostgresUrl(t);
  // A slow poll gives the projector a real lag, so that not waiting would show.
  const { db, store } = await migratedProcess(t, url, { pollIntervalMs: 250 });
  const runner = new ProjectionRunner(db, store, clientAccountsProjection, quiet);
  t.teardown(() => runner.stop());
  runner.start();
  const awaitProjections = createAwaitProjections(db, [runner], 5000);
  const deps = { handle: createCommandHandler(store), db, store };

  let lagged = 0;
  for (let n = 0; n < 5; n++) {
    const { clientId, position } = await registerOne(deps, n);
    if (!(await findClientAccount(db, clientId))) lagged++;
    t.ok(await awaitProjections(position, ['client-accounts']), 'awaited');
    t.equal((await findClientAccount(db, clientId))?.id, clientId, 'the row is there right after');
  }
  t.ok(lagged > 0, `the read model did lag behind the command (${lagged} of 5), so the wait mattered`);
  t.equal(await awaitProjections(undefined, ['client-accounts']), true, 'nothing appended: nothing to wait for');
});

t.test('no runner in this process: it follows the checkpoint a runner elsewhere writes', async (t) => {
  const url = await freshPostgresUrl(t);
  const api = await migratedProcess(t, url);
  const projector = openProcess(t, url, { pollIntervalMs: 250 });
  const runner = new ProjectionRunner(projector.db, projector.store, clientAccountsProjection, quiet);
  t.teardown(() => runner.stop());
  runner.start();
  const awaitProjections = createAwaitProjections(api.db, [], 5000);
  const deps = { handle: createCommandHandler(api.store), db: api.db, store: api.store };

  let lagged = 0;
  for (let n = 0; n < 5; n++) {
    const { clientId, position } = await registerOne(deps, n);
    if (!(await findClientAccount(api.db, clientId))) lagged++;
    t.ok(await awaitProjections(position, ['client-accounts']), 'awaited');
    t.equal((await findClientAccount(api.db, clientId))?.id, clientId, 'the row is there right after');
  }
  t.ok(lagged > 0, `the read model did lag behind the command (${lagged} of 5)`);
});

t.test('when no runner progresses it gives up after the timeout with false', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store } = await migratedProcess(t, url);
  const { clientId, position } = await registerOne({ handle: createCommandHandler(store), db, store }, 1);
  const target: Position = position!;

  const timed = async (wait: Promise<boolean>) => {
    const started = Date.now();
    return { result: await wait, ms: Date.now() - started };
  };
  const remote = await timed(createAwaitProjections(db, [], 300)(target, ['client-accounts']));
  t.equal(remote.result, false, 'no projector anywhere: false');
  t.ok(remote.ms >= 280, `not before the timeout (${remote.ms} ms)`);

  const idle = new ProjectionRunner(db, store, clientAccountsProjection, quiet);
  const local = await timed(createAwaitProjections(db, [idle], 300)(target, ['client-accounts']));
  t.equal(local.result, false, 'a local runner that does not run: false');
  t.ok(local.ms >= 280, `not before the timeout (${local.ms} ms)`);
  t.equal(await findClientAccount(db, clientId), undefined, 'and indeed the row is not there');
});
