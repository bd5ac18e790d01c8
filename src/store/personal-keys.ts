import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * The keys that encrypt personal data in events, one per owner, kept in
 * their own table and never in the log. Destroying one is erasure: the
 * owner's personal fields read as "[erased]" from then on, wherever the log
 * is held (src/store/personal-data.ts).
 */
export interface PersonalKeys {
  /** The live keys of these owners; an erased owner, or one that never had a key, is absent. */
  find(owners: readonly string[]): Promise<Map<string, Buffer>>;
  /** The owner's key, made on first use; undefined once the owner was erased. */
  forWriting(owner: string): Promise<Buffer | undefined>;
  /** Destroys the owners' keys (an owner without one yet is marked erased all the same). */
  erase(owners: readonly string[], at: Date): Promise<void>;
}

/** How long a process trusts a key it read: another process's erasure reaches it within this time. */
const TRUST_MS = 1_000;
const MAX_CACHED = 10_000;

export function personalKeys(db: Kysely<Database>, options: { now?: () => number } = {}): PersonalKeys {
  const clock = options.now ?? Date.now;
  // owner -> key (null: erased) and when it was read.
  const cache = new Map<string, { key: Buffer | null; at: number }>();
  const cached = (owner: string) => {
    const entry = cache.get(owner);
    return entry && clock() - entry.at < TRUST_MS ? entry : undefined;
  };
  const remember = (owner: string, key: Buffer | null) => {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(owner, { key, at: clock() });
  };
  const decode = (key: string | null) => (key === null ? null : Buffer.from(key, 'base64'));

  return {
    async find(owners) {
      const found = new Map<string, Buffer>();
      const missing = [...new Set(owners)].filter((owner) => {
        const entry = cached(owner);
        if (entry?.key) found.set(owner, entry.key);
        return entry === undefined;
      });
      if (missing.length === 0) return found;
      const rows = await db.selectFrom('personal_keys').select(['owner', 'key']).where('owner', 'in', missing).execute();
      for (const row of rows) {
        const key = decode(row.key);
        remember(row.owner, key);
        if (key) found.set(row.owner, key);
      }
      return found;
    },
    async forWriting(owner) {
      const entry = cached(owner);
      if (entry) return entry.key ?? undefined;
      // Two writers making the first key race here: the first insert wins and both read it.
      await db
        .insertInto('personal_keys')
        .values({ owner, key: randomBytes(32).toString('base64'), created_at: new Date(clock()), erased_at: null })
        .onConflict((c) => c.column('owner').doNothing())
        .execute();
      const row = await db.selectFrom('personal_keys').select('key').where('owner', '=', owner).executeTakeFirstOrThrow();
      const key = decode(row.key);
      remember(owner, key);
      return key ?? undefined;
    },
    async erase(owners, at) {
      if (owners.length === 0) return;
      for (const owner of owners) cache.delete(owner);
      await db
        .insertInto('personal_keys')
        .values(owners.map((owner) => ({ owner, key: null, created_at: at, erased_at: at })))
        .onConflict((c) => c.column('owner').doUpdateSet({ key: null, erased_at: sql`coalesce(personal_keys.erased_at, excluded.erased_at)` }))
        .execute();
      for (const owner of owners) remember(owner, null);
    },
  };
}
