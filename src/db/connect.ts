import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from './database.js';
import { preparingPool } from './prepared.js';

// int8 and numeric arrive as strings by default; positions and counts are
// converted explicitly where they are read, so keep the driver's default.

export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize?: number; readonly connectTimeoutMs?: number }
  | { readonly kind: 'pglite'; readonly dataDir?: string };

export interface Connection {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseTarget['kind'];
}

// PGlite's postgresql.conf (written by its initdb) asks for 128 MB of shared
// buffers, which the WASM heap grows to and touches at start: 135 MB of RSS
// for a cache the embedded default's data (a clinic's) never fills, and the OS
// caches the files anyway. 16 MB: PGlite alone measured 337 -> 202 MB RSS.
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

export function connect(target: DatabaseTarget): Connection {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 20,
      // An unreachable server fails a checkout (a 503, a projector retry) instead of queueing it forever.
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
      // A peer that vanished without a FIN (a cut network) is noticed instead of waited on.
      keepAlive: true,
    });
    // A connection lost while idle in the pool: the pool drops it; nothing else to do.
    pool.on('error', () => undefined);
    // A connection lost while checked out (PostgreSQL restarting sends 57P01 to
    // every backend, a transaction between two statements included) emits
    // 'error' on its client, where pg-pool listens only while the client is
    // idle: without this listener that is an uncaught error and the process
    // exits. The query in hand fails on its own, and the pool discards the
    // client when it is released (it is no longer queryable).
    pool.on('connect', (client) => client.on('error', () => undefined));
    return { kind: 'postgres', db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) }) };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = new PGlite({ ...(target.dataDir ? { dataDir: target.dataDir } : {}), startParams: PGLITE_START_PARAMS });
  return { kind: 'pglite', db: new Kysely<Database>({ dialect: new PGliteDialect(pglite) }) };
}
