import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';
import { connect, type Connection, type DatabaseTarget } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/** The server the tests create their throw-away databases on. */
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A new, empty PostgreSQL database for one test, dropped at its end. */
export async function freshPostgresUrl(t: Test): Promise<string> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// PGlite's initdb takes seconds; reopening a copied data directory takes a
// fraction of that, so each test process initialises one template and copies it.
let template: Promise<string> | undefined;
async function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pglite-template-'));
    const connection = connect({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(connection.db);
    await connection.db.destroy();
    process.once('exit', () => void rm(dir, { recursive: true, force: true }));
    return dir;
  })();
  return template;
}

/** A new PGlite data directory holding a migrated database, removed at the test's end. */
export async function freshPgliteDir(t: Test, dir?: string): Promise<string> {
  const source = await pgliteTemplate();
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'pglite-')));
  await cp(source, target, { recursive: true });
  t.teardown(() => rm(target, { recursive: true, force: true }));
  return target;
}

export async function freshTarget(t: Test, kind: DatabaseTarget['kind']): Promise<DatabaseTarget> {
  return kind === 'postgres' ? { kind, url: await freshPostgresUrl(t) } : { kind, dataDir: await freshPgliteDir(t) };
}

/** A migrated connection to a new database (PostgreSQL) or a new PGlite. */
export async function freshConnection(t: Test, kind: DatabaseTarget['kind']): Promise<Connection> {
  const connection = connect(await freshTarget(t, kind));
  t.teardown(() => connection.db.destroy());
  await migrateToLatest(connection.db);
  return connection;
}

/** The database kinds every storage test runs against. */
export const databaseKinds: DatabaseTarget['kind'][] = ['postgres', 'pglite'];
