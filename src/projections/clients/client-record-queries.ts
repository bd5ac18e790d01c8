import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ClientAccountRow, ClientRecordRow } from './tables.js';
import { SHAREABLE, type Shareable } from '../../events/clients/client-record.js';

// Reads over `client_records`: an organization's client book (search, sort,
// keyset pages that stay stable while clients are added), and a person's
// links and offers.

export type ClientSort = 'name' | '-name' | 'registration_date' | '-registration_date';

export interface ClientPage {
  readonly items: ClientRecordRow[];
  /** Opaque; absent on the last page. */
  readonly next: string | undefined;
}

const nameKey = sql<string>`lower(client_records.last_name || ' ' || client_records.first_name || ' ' || client_records.patronymic)`;
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

interface Cursor {
  readonly key: string;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString());
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && /^[0-9a-f-]{36}$/.test(parsed[1])) {
      return { key: parsed[0], id: parsed[1] };
    }
  } catch {
    // falls through: not a cursor of ours
  }
  return undefined;
}

export async function listClientRecords(
  db: Kysely<Database>,
  query: { organizationId: string; search?: string; sort: ClientSort; after?: Cursor; limit: number },
): Promise<ClientPage> {
  const descending = query.sort.startsWith('-');
  const byName = query.sort.endsWith('name');
  // Dates sort as fixed-width UTC text, so one cursor shape serves both orders.
  const key = byName ? nameKey : sql<string>`to_char(client_records.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  let q = db
    .selectFrom('client_records')
    .selectAll('client_records')
    .select(key.as('sort_key'))
    .where('client_records.organization_id', '=', query.organizationId)
    .where('client_records.removed_at', 'is', null);
  const search = query.search?.trim();
  if (search) {
    const digits = search.replace(/[\s()-]/g, '');
    q = /^\+?\d+$/.test(digits)
      ? q.where('client_records.phone', 'like', `${digits.startsWith('+') ? '' : '+'}${escapeLike(digits)}%`)
      : q.where(nameKey, 'like', `%${escapeLike(search.toLowerCase())}%`);
  }
  if (query.after) {
    const { key: afterKey, id } = query.after;
    q = q.where((eb) => eb(eb.tuple(key, eb.ref('client_records.id')), descending ? '<' : '>', eb.tuple(eb.val(afterKey), eb.val(id))));
  }
  const direction = descending ? 'desc' : 'asc';
  const rows = await q.orderBy(key, direction).orderBy('client_records.id', direction).limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ key: last.sort_key, id: last.id }) : undefined;
  return { items: items.map(({ sort_key: _sortKey, ...row }) => row), next };
}

export interface RecordWithOrganization {
  readonly record: ClientRecordRow;
  readonly organizationName: string;
}

/**
 * A person's records: those linked to the account, and those offered to it
 * (not linked, not removed, and naming the account's verified phone).
 */
export async function recordsOfPerson(db: Kysely<Database>, account: Pick<ClientAccountRow, 'id' | 'phone' | 'confirmed_phone'>): Promise<RecordWithOrganization[]> {
  const rows = await db
    .selectFrom('client_records as r')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .selectAll('r')
    .select('o.name as organization_name')
    .where('r.removed_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('r.account_id', '=', account.id),
        ...(account.confirmed_phone ? [eb.and([eb('r.account_id', 'is', null), eb('r.phone', '=', account.phone)])] : []),
      ]),
    )
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
  return rows.map(({ organization_name, ...record }) => ({ record, organizationName: organization_name }));
}

/** The ids of the records linked to an account (its appointments are theirs to see). */
export async function linkedRecordIds(db: Kysely<Database>, accountId: string): Promise<string[]> {
  const rows = await db.selectFrom('client_records').select('id').where('account_id', '=', accountId).execute();
  return rows.map((r) => r.id);
}

/**
 * What each linked person shares with the organization holding these
 * records: the account fields they chose, as they are now (API names).
 */
export async function sharedWith(db: Kysely<Database>, records: readonly ClientRecordRow[]): Promise<Map<string, Record<string, string | null>>> {
  const result = new Map<string, Record<string, string | null>>();
  const linked = records.filter((r) => r.account_id !== null && r.shared.length > 0);
  if (linked.length === 0) return result;
  const accounts = await db.selectFrom('client_accounts').selectAll().where('id', 'in', linked.map((r) => r.account_id!)).execute();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  for (const record of linked) {
    const account = byId.get(record.account_id!);
    if (!account) continue;
    const fields: Record<string, string | null> = {};
    for (const field of record.shared) {
      const column = SHAREABLE[field as Shareable];
      if (column) fields[column] = account[column];
    }
    result.set(record.id, fields);
  }
  return result;
}
