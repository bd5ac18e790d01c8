// Projection lag, observed from outside the service: for every event a
// command appends, the time from the moment a reader can first see it in the
// log to the moment the projection's checkpoint (committed in the same
// transaction as its read-model rows) has passed it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { percentiles } from './load.js';

export interface LagResult {
  readonly events: number;
  /** Events still not projected when the probe stopped (counted as lagging past the end). */
  readonly unprojected: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Mean time between two polls: the resolution of every sample. */
  readonly pollMs: number;
}

interface Pending {
  readonly commit: bigint;
  readonly prepare: bigint;
  readonly seenAt: number;
}

const passed = (checkpoint: { commit: bigint; prepare: bigint }, event: Pending) =>
  checkpoint.commit > event.commit || (checkpoint.commit === event.commit && checkpoint.prepare >= event.prepare);

/** Events committed out of order by up to this many sequence values are still caught. */
const WINDOW = 64n;
/** A hard stop, whatever happens to the service. */
const MAX_PROBE_MS = 15 * 60_000;

export interface LagProbe {
  /** Stops polling (after giving pending events `graceMs` to be projected) and reports. */
  stop(graceMs: number): Promise<LagResult>;
}

/**
 * One loop, one query per turn (about every 1-2 ms): the events appended
 * since the last turn and the projection's checkpoint. An event's lag is the
 * time between the turn that first saw it and the turn that saw the
 * checkpoint past it; both ends carry the same polling error, so the
 * difference is unbiased to within one poll.
 */
export async function startLagProbe(databaseUrl: string, projection: string): Promise<LagProbe> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const start = await client.query<{ max: string | null }>('SELECT max(global_position)::text AS max FROM events');
  const floor = BigInt(start.rows[0]?.max ?? '0');
  let highest = floor;
  // Positions already seen above the window's floor: the query skips them.
  let recent: bigint[] = [];
  let pending: Pending[] = [];
  const lags: number[] = [];
  let polls = 0;
  let stopAt = Number.POSITIVE_INFINITY;
  let stopping = false;
  const started = performance.now();

  const loop = (async () => {
    while (!(stopping && (pending.length === 0 || performance.now() >= stopAt)) && performance.now() - started < MAX_PROBE_MS) {
      const from = highest - WINDOW > floor ? highest - WINDOW : floor;
      recent = recent.filter((position) => position > from);
      const before = performance.now();
      const { rows } = await client.query<{ cp: string | null; events: [string, string][] }>(
        `SELECT (SELECT commit_position::text || ':' || prepare_position::text FROM projection_checkpoints WHERE name = $1) AS cp,
                coalesce((SELECT json_agg(json_build_array(transaction_id::text, global_position::text))
                          FROM events WHERE global_position > $2 AND global_position <> ALL($3::bigint[])), '[]'::json) AS events`,
        [projection, from.toString(), recent.map(String)],
      );
      const at = (before + performance.now()) / 2;
      polls++;
      const row = rows[0]!;
      for (const [commit, prepare] of row.events) {
        const position = BigInt(prepare);
        if (recent.includes(position)) continue;
        recent.push(position);
        if (position > highest) highest = position;
        pending.push({ commit: BigInt(commit), prepare: position, seenAt: at });
      }
      if (row.cp) {
        const [commit, prepare] = row.cp.split(':');
        const checkpoint = { commit: BigInt(commit!), prepare: BigInt(prepare!) };
        const still: Pending[] = [];
        for (const event of pending) {
          if (passed(checkpoint, event)) lags.push(at - event.seenAt);
          else still.push(event);
        }
        pending = still;
      }
      await sleep(1);
    }
  })();

  return {
    async stop(graceMs) {
      stopping = true;
      stopAt = performance.now() + graceMs;
      await loop;
      await client.end();
      const elapsed = performance.now() - started;
      const stats = percentiles(lags);
      const r = (v: number) => Number(v.toFixed(2));
      return { events: lags.length, unprojected: pending.length, p50Ms: r(stats.p50), p90Ms: r(stats.p90), p99Ms: r(stats.p99), maxMs: r(stats.max), pollMs: r(elapsed / Math.max(1, polls)) };
    },
  };
}
