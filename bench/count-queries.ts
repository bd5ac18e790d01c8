// Diagnostic preload for the service child (node --import), used by
// `npm run bench -- --count-queries`: counts the SQL statements the service
// sends through pg, by kind, and writes the counts to BENCH_QUERY_COUNTS
// every 200 ms, so the benchmark can report round trips per request.
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_QUERY_COUNTS;
if (file) {
  const counts: Record<string, number> = {};
  const kindOf = (text: string): string => {
    const sql = text.replace(/\s+/g, ' ').trim().toLowerCase();
    const table = /\b(?:from|into|update|join)\s+"?([a-z_]+)"?/.exec(sql)?.[1];
    const verb = sql.split(' ')[0] ?? '';
    return table ? `${verb} ${table}` : verb;
  };
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function query(this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (text) {
      const kind = kindOf(text);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const flush = () => {
    try {
      writeFileSync(file, JSON.stringify(counts));
    } catch {
      // diagnostics only
    }
  };
  setInterval(flush, 200).unref();
  process.on('exit', flush);
}
