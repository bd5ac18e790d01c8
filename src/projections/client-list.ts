import { sql, type Kysely } from 'kysely';
import type { ClientRow, Database } from '../db/database.js';

// The client list of one organization: search by name or phone prefix,
// sorted by name or registration date, with keyset (cursor) pagination that
// stays stable while clients are added.

export type ClientSort = 'name' | '-name' | 'registration_date' | '-registration_date';

export interface ClientPage {
  readonly items: ClientRow[];
  /** Opaque; absent on the last page. */
  readonly next: string | undefined;
}

const nameKey = sql<string>`lower(clients.last_name || ' ' || clients.first_name || ' ' || clients.patronymic)`;
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

export async function listClients(
  db: Kysely<Database>,
  query: { organizationId: string; search?: string; sort: ClientSort; after?: Cursor; limit: number },
): Promise<ClientPage> {
  const descending = query.sort.startsWith('-');
  const byName = query.sort.endsWith('name');
  // Registration dates sort as fixed-width UTC text, so one cursor shape serves both orders.
  const key = byName ? nameKey : sql<string>`to_char(clients.registered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  let q = db
    .selectFrom('clients')
    .innerJoin('client_organizations as co', 'co.client_id', 'clients.id')
    .selectAll('clients')
    .select(key.as('sort_key'))
    .where('co.organization_id', '=', query.organizationId);
  const search = query.search?.trim();
  if (search) {
    const digits = search.replace(/[\s()-]/g, '');
    q = /^\+?\d+$/.test(digits)
      ? q.where('clients.phone', 'like', `${digits.startsWith('+') ? '' : '+'}${escapeLike(digits)}%`)
      : q.where(nameKey, 'like', `%${escapeLike(search.toLowerCase())}%`);
  }
  if (query.after) {
    const { key: afterKey, id } = query.after;
    q = q.where((eb) => eb(eb.tuple(key, eb.ref('clients.id')), descending ? '<' : '>', eb.tuple(eb.val(afterKey), eb.val(id))));
  }
  const direction = descending ? 'desc' : 'asc';
  const rows = await q.orderBy(key, direction).orderBy('clients.id', direction).limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ key: last.sort_key, id: last.id }) : undefined;
  return { items: items.map(({ sort_key: _sortKey, ...row }) => row), next };
}
