import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { START, comparePositions, type Position } from '../store/port.js';

type Db = Kysely<Database> | Transaction<Database>;

const toPosition = (row: { commit_position: unknown; prepare_position: unknown }): Position => ({
  commit: BigInt(String(row.commit_position)),
  prepare: BigInt(String(row.prepare_position)),
});

export async function ensureCheckpoint(db: Db, name: string): Promise<void> {
  await db.insertInto('projection_checkpoints').values({ name, commit_position: '0', prepare_position: '0' }).onConflict((oc) => oc.column('name').doNothing()).execute();
}

export async function readCheckpoint(db: Db, name: string): Promise<Position> {
  const row = await db.selectFrom('projection_checkpoints').select(['commit_position', 'prepare_position']).where('name', '=', name).executeTakeFirst();
  return row ? toPosition(row) : START;
}

export async function readCheckpoints(db: Db): Promise<Map<string, Position>> {
  const rows = await db.selectFrom('projection_checkpoints').select(['name', 'commit_position', 'prepare_position']).execute();
  return new Map(rows.map((row) => [row.name, toPosition(row)]));
}

/**
 * Moves the checkpoint from `from` to `to`, or returns false when another
 * runner (or a rebuild) moved it meanwhile. Done first in a batch's
 * transaction, it also locks the row, so two runners never apply one batch.
 */
export async function advanceCheckpoint(trx: Transaction<Database>, name: string, from: Position, to: Position): Promise<boolean> {
  const result = await trx
    .updateTable('projection_checkpoints')
    .set({ commit_position: to.commit.toString(), prepare_position: to.prepare.toString(), updated_at: sql`now()` })
    .where('name', '=', name)
    .where('commit_position', '=', from.commit.toString())
    .where('prepare_position', '=', from.prepare.toString())
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function resetCheckpoint(trx: Transaction<Database>, name: string): Promise<void> {
  await ensureCheckpoint(trx, name);
  await trx.updateTable('projection_checkpoints').set({ commit_position: '0', prepare_position: '0', updated_at: sql`now()` }).where('name', '=', name).execute();
}

export const isAtOrPast = (checkpoint: Position, target: Position) => comparePositions(checkpoint, target) >= 0;
