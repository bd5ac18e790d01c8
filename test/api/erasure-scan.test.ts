import { sql, type Kysely } from 'kysely';
import t from 'tap';
import type { Database } from '../../src/db/database.js';
import { ERASED } from '../../src/events/personal.js';
import { projections } from '../../src/compose.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import type { CatalogedEventStore } from '../../src/store/cataloged.js';
import { anchorLog } from '../../src/workflows/audit/anchor-log.js';
import { verifyLog } from '../../src/workflows/audit/verify.js';
import { visible } from '../helpers/store-events.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { acceptRecord, addRecord, person, PASSWORD } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, specialist } from '../helpers/scheduling.js';

// After a person erases their account, nothing in the database names them in
// clear: every column of every table is read as text and searched. The
// organization's books (appointments, amounts) are unchanged, and a rebuild
// of the read models from the log gives exactly the rows the live
// projections left.

const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };
const HOUR = 3_600_000;
const startIn = (hoursAhead: number) => new Date((Math.floor(Date.now() / HOUR) + hoursAhead) * HOUR).toISOString();

/** Every value of every column of every table of the schema, as text, where it contains one of `needles`. */
async function clearText(db: Kysely<Database>, needles: readonly string[]): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const values = await sql<{ v: string | null }>`select ${sql.ref(column)}::text as v from ${sql.table(table)}`.execute(db);
    for (const { v } of values.rows) {
      if (v === null) continue;
      for (const needle of needles) if (v.includes(needle)) hits.push(`${table}.${column} holds ${JSON.stringify(needle)}`);
    }
  }
  return hits;
}

/** The client and appointment read models, row by row in id order, as JSON. */
async function readModels(db: Kysely<Database>) {
  return JSON.parse(JSON.stringify({
    client_accounts: await db.selectFrom('client_accounts').selectAll().orderBy('id').execute(),
    client_records: await db.selectFrom('client_records').selectAll().orderBy('id').execute(),
    appointments: await db.selectFrom('appointments').selectAll().orderBy('id').execute(),
  })) as Record<string, Record<string, unknown>[]>;
}

/** What each organization's books say: appointments by status, and their amounts. */
async function books(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('appointments')
    .select((eb) => ['organization_id', 'status', eb.fn.countAll<string>().as('count'), eb.fn.sum<string>('cost_amount').as('amount')])
    .groupBy(['organization_id', 'status'])
    .orderBy('organization_id')
    .orderBy('status')
    .execute();
  return rows.map((r) => ({ ...r, count: String(r.count), amount: String(r.amount) }));
}

async function rebuildAsTheCliDoes(runtime: TestRuntime): Promise<void> {
  const { db } = runtime.connection;
  const names = ['client-accounts', 'client-records', 'appointments'];
  for (const projection of projections.filter((p) => names.includes(p.name))) await rebuildProjection(db, runtime.store, projection);
  // A rebuild the running projector took over is finished by it: wait for the head.
  t.ok(await runtime.deps.awaitProjections(await runtime.store.headPosition(), names), 'the read models reached the head of the log');
}

t.test('after erasure: nothing in clear, the books unchanged, a rebuild gives the same rows', async (t) => {
  const runtime = await startRuntime(t);
  const { db } = runtime.connection;
  const c = await clinic(runtime, 'Erasure Scan');
  const doctor = await specialist(runtime, c, 'Dr Scan', hours);

  const phone = uniquePhone();
  const secrets = {
    phone,
    digits: phone.slice(1),
    firstName: 'Zinaida',
    lastName: 'Prokhorova',
    patronymic: 'Kuzminichna',
    email: uniqueEmail('zinaida'),
    birthday: '1987-06-05',
    address: 'Lesnaya 12, apt 7',
    additionalInfo: 'allergic to lavender oil',
    link: 'vk.com/zinaida-prokhorova',
    notes: 'prefers the window seat by the fern',
    reason: 'feeling unwell after the flu shot',
  };
  const p = await person(runtime, phone, {
    first_name: secrets.firstName,
    last_name: secrets.lastName,
    patronymic: secrets.patronymic,
    email: secrets.email,
    birthday: secrets.birthday,
    address: secrets.address,
    additional_info: secrets.additionalInfo,
    links: { vk: secrets.link },
  });
  const record = await addRecord(runtime, c.org, c.owner.token, { first_name: secrets.firstName, last_name: secrets.lastName, phone, additional_info: secrets.notes });
  await acceptRecord(runtime, p, record, ['first_name', 'email']);
  const kept = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: record, start: startIn(48) });
  const cancelled = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: record, start: startIn(50) });
  t.equal(kept.status, 201);
  t.equal(cancelled.status, 201);
  t.equal((await call(runtime.app, 'POST', `/api/v1/appointments/${cancelled.body.id}/cancel`, { token: c.manager.token, body: { reason: secrets.reason } })).status, 200);
  // Somebody else, who stays.
  const other = await client(runtime, uniquePhone(), c);
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: other.record, start: startIn(52) })).status, 201);

  const needles = Object.values(secrets);
  t.not((await clearText(db, needles)).length, 0, 'the scan finds the person before the erasure (it can see what it looks for)');
  const booksBefore = await books(db);
  const recordBefore = await db.selectFrom('client_records').selectAll().where('id', '=', record).executeTakeFirstOrThrow();

  const store = runtime.store as CatalogedEventStore;
  // An anchor over the person's history before it is erased: the erasure must not disturb what it covers.
  t.ok(await anchorLog(store, new Date()), 'the log up to now is anchored');

  const erased = await call(runtime.app, 'POST', '/api/v1/clients/me/erasure', { token: p.token, body: { current_password: PASSWORD } });
  t.equal(erased.status, 200);

  t.test('audit verify still passes: the erasure destroyed keys and rewrote nothing', async (t) => {
    await visible(store, await store.headPosition());
    t.ok(await anchorLog(store, new Date()), 'and the erasure is anchored too');
    const verified = await verifyLog(store.raw);
    t.equal(verified.failure, undefined, 'every chain and both anchors verify');
    t.equal(verified.anchors, 2);
  });

  t.test('no table holds the person’s phone, names, email, birthday, address, notes or cancel reason in clear', async (t) => {
    t.same(await clearText(db, needles), []);
  });

  t.test('the organization’s appointment counts and amounts are unchanged; the cancel reason reads [erased]', async (t) => {
    t.same(await books(db), booksBefore);
    const rows = await db.selectFrom('appointments').select(['id', 'status', 'cancel_reason', 'cost_amount']).where('client_id', '=', record).orderBy('starts_at').execute();
    t.same(rows.map((r) => [r.status, r.cancel_reason]), [['pending', null], ['cancelled', ERASED]]);
  });

  t.test('the account row is gone; the record keeps its ids and times with every personal column blanked', async (t) => {
    t.equal(await db.selectFrom('client_accounts').select('id').where('id', '=', p.id).executeTakeFirst(), undefined);
    const row = await db.selectFrom('client_records').selectAll().where('id', '=', record).executeTakeFirstOrThrow();
    t.same(
      { ...row, updated_at: undefined, stream_version: undefined },
      {
        ...recordBefore,
        account_id: null,
        phone: ERASED,
        email: null,
        first_name: ERASED,
        last_name: ERASED,
        patronymic: ERASED,
        birthday: null,
        sex: null,
        address: ERASED,
        additional_info: ERASED,
        links: {},
        shared: [],
        linked_at: null,
        updated_at: undefined,
        stream_version: undefined,
      },
    );
  });

  t.test('a rebuild of the read models from the log gives exactly the live rows', async (t) => {
    const live = await readModels(db);
    await rebuildAsTheCliDoes(runtime);
    const rebuilt = await readModels(db);
    t.same(rebuilt, live);
    t.ok(live.client_records!.some((r) => r.id === record && r.first_name === ERASED), 'the erased record is among them');
  });
});
