// This machine's own ceilings, measured in the same run as the product.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { hashPassword } from '../src/auth/passwords.js';

/**
 * Raw PostgreSQL: `concurrency` connections each running single-row INSERTs
 * in autocommit (one transaction, one commit per row) for `seconds`.
 */
export async function rawInsertTxPerSecond(databaseUrl: string, concurrency: number, seconds: number): Promise<{ txPerS: number; transactions: number; seconds: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  pool.on('error', () => undefined);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS bench_raw_insert (
      id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    // Open every connection before the clock starts.
    await Promise.all(Array.from({ length: concurrency }, () => pool.query('SELECT 1')));
    const insert = async (i: number) => {
      await pool.query('INSERT INTO bench_raw_insert (stream_id, data) VALUES ($1, $2)', [`raw-${i}`, JSON.stringify({ firstName: `Name${i}` })]);
    };
    for (let i = 0; i < concurrency * 20; i++) await insert(i); // warm-up
    let transactions = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = 0; performance.now() < deadline; i++) {
          await insert(worker * 1_000_000 + i);
          transactions++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { txPerS: Math.round(transactions / elapsed), transactions, seconds: elapsed };
  } finally {
    await pool.end();
  }
}

/** argon2id hashes per second with the service's parameters, `parallel` at a time (libuv's pool does the work). */
export async function argon2HashesPerSecond(parallel: number, seconds: number): Promise<{ hashesPerS: number; msPerHash: number }> {
  // One hash alone: the cost a single registration pays.
  const single: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await hashPassword(`bench-password-${i}`);
    single.push(performance.now() - t);
  }
  let hashes = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < deadline) {
        await hashPassword('bench-password');
        hashes++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { hashesPerS: Number((hashes / elapsed).toFixed(1)), msPerHash: Number(Math.min(...single).toFixed(1)) };
}
