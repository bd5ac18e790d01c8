import type { Kysely, Transaction, Updateable } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../db/database.js';
import type { ClientAccountRow, ClientAccountsTable } from './tables.js';
import { asEvent } from '../../events/event.js';
import { clientAccountEventTypes, type ClientEvent, type ClientProfile } from '../../events/clients/client.js';
import type { Projection } from '../projection.js';

// Read model `client_accounts`: one row per person's account, as they see
// their own profile; and the lookups of sign-in (who owns a login phone).

export function profileColumns(changes: Partial<ClientProfile>): Updateable<ClientAccountsTable> {
  const columns: Updateable<ClientAccountsTable> = {};
  if (changes.firstName !== undefined) columns.first_name = changes.firstName;
  if (changes.lastName !== undefined) columns.last_name = changes.lastName;
  if (changes.patronymic !== undefined) columns.patronymic = changes.patronymic;
  if (changes.email !== undefined) columns.email = changes.email;
  if (changes.birthday !== undefined) columns.birthday = changes.birthday;
  if (changes.sex !== undefined) columns.sex = changes.sex;
  if (changes.address !== undefined) columns.address = changes.address;
  if (changes.additionalInfo !== undefined) columns.additional_info = changes.additionalInfo;
  if (changes.links !== undefined) columns.links = JSON.stringify(changes.links);
  return columns;
}

/** A whole profile as the columns an account and a record share. */
export function profileRow(profile: ClientProfile) {
  return {
    email: profile.email,
    first_name: profile.firstName,
    last_name: profile.lastName,
    patronymic: profile.patronymic,
    birthday: profile.birthday,
    sex: profile.sex,
    address: profile.address,
    additional_info: profile.additionalInfo,
    links: JSON.stringify(profile.links),
  };
}

function registrationRow(event: Extract<ClientEvent, { type: 'ClientRegistered' }>, version: number) {
  const { clientId, phone, profile, registeredAt } = event.data;
  return {
    id: clientId,
    phone,
    ...profileRow(profile),
    confirmed_phone: false,
    registered_at: registeredAt,
    updated_at: registeredAt,
    stream_version: version,
  };
}

function update(trx: Transaction<Database>, clientId: string, version: number, columns: Updateable<ClientAccountsTable>) {
  return trx.updateTable('client_accounts').set({ ...columns, stream_version: version }).where('id', '=', clientId).execute();
}

async function applyOne(trx: Transaction<Database>, event: ClientEvent, version: number): Promise<void> {
  switch (event.type) {
    case 'ClientProfileChanged':
      await update(trx, event.data.clientId, version, { ...profileColumns(event.data.changes), updated_at: event.data.changedAt });
      return;
    case 'ClientPhoneChanged':
      await update(trx, event.data.clientId, version, { phone: event.data.phone, confirmed_phone: false, updated_at: event.data.changedAt });
      return;
    case 'ClientPasswordChanged':
      await update(trx, event.data.clientId, version, { updated_at: event.data.changedAt });
      return;
    case 'ClientErased':
      // The account is gone: its phone signs nobody in and may be registered again.
      await trx.deleteFrom('client_accounts').where('id', '=', event.data.clientId).execute();
      return;
    case 'PhoneVerified':
      await trx
        .updateTable('client_accounts')
        .set({ confirmed_phone: true, updated_at: event.data.verifiedAt, stream_version: version })
        .where('id', '=', event.data.clientId)
        .where('phone', '=', event.data.phone)
        .execute();
      return;
    default:
      return;
  }
}

export const clientAccountsProjection: Projection = {
  name: 'client-accounts',
  parkUnappliable: true,
  canHandle: clientAccountEventTypes,
  async apply(trx, events) {
    // Registrations dominate a replay: consecutive ones go in as one multi-row insert.
    let registrations: ReturnType<typeof registrationRow>[] = [];
    const flush = async () => {
      if (registrations.length > 0) await trx.insertInto('client_accounts').values(registrations).onConflict((oc) => oc.column('id').doNothing()).execute();
      registrations = [];
    };
    for (const stored of events) {
      const event = asEvent<ClientEvent>(stored);
      if (event.type === 'ClientRegistered') {
        registrations.push(registrationRow(event, stored.version));
        if (registrations.length >= 500) await flush();
        continue;
      }
      await flush();
      await applyOne(trx, event, stored.version);
    }
    await flush();
  },
  async reset(trx) {
    await trx.deleteFrom('client_accounts').execute();
  },
};

export function findClientAccount(db: Kysely<Database>, clientId: string): Promise<ClientAccountRow | undefined> {
  return db.selectFrom('client_accounts').selectAll().where('id', '=', clientId).executeTakeFirst();
}

/** The account whose VERIFIED login phone this is: the only one a phone signs in (password or code). */
export async function findAccountIdByVerifiedPhone(db: Kysely<Database>, phone: string): Promise<string | undefined> {
  const row = await db.selectFrom('client_accounts').select('id').where('phone', '=', phone).where('confirmed_phone', '=', true).executeTakeFirst();
  return row?.id;
}

/** The newest account that names this phone without having verified it: a resent code goes to it. */
export async function findUnverifiedAccountIdByPhone(db: Kysely<Database>, phone: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('client_accounts')
    .select('id')
    .where('phone', '=', phone)
    .where('confirmed_phone', '=', false)
    .orderBy('registered_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** An account with the organizations whose record it linked (oldest link first), in one round trip. */
export async function findAccountWithOrganizations(db: Kysely<Database>, clientId: string): Promise<{ account: ClientAccountRow; organizations: { id: string; name: string }[] } | undefined> {
  const row = await db
    .selectFrom('client_accounts')
    .selectAll('client_accounts')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('client_records as r')
          .innerJoin('organizations as o', 'o.id', 'r.organization_id')
          .select(['o.id', 'o.name'])
          .whereRef('r.account_id', '=', 'client_accounts.id')
          .orderBy('r.linked_at'),
      ).as('organizations'),
    )
    .where('client_accounts.id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { organizations, ...account } = row;
  return { account, organizations };
}
