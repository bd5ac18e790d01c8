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
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize?: number }
  | { readonly kind: 'pglite'; readonly dataDir?: string };

export interface Connection {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseTarget['kind'];
}

export function connect(target: DatabaseTarget): Connection {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 20 });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => undefined);
    return { kind: 'postgres', db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) }) };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  return { kind: 'pglite', db: new Kysely<Database>({ dialect: new PGliteDialect(pglite) }) };
}
