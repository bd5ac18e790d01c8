import type { Kysely, Transaction, Updateable } from 'kysely';
import type { ClientRow, ClientsTable, Database } from '../db/database.js';
import { toDomainEvent } from '../events/catalogue.js';
import type { ClientEvent, ClientProfile } from '../events/client.js';
import type { Projection } from './projection.js';

// Read model `clients` (one row per client, the profile as staff and the
// client see it) and `client_organizations` (who is a client where).

function columnsOf(changes: Partial<ClientProfile>): Updateable<ClientsTable> {
  const columns: Updateable<ClientsTable> = {};
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

function registrationRow(event: Extract<ClientEvent, { type: 'ClientRegistered' }>, version: number) {
  const { clientId, phone, profile, registeredAt } = event.data;
  return {
    id: clientId,
    phone,
    email: profile.email,
    first_name: profile.firstName,
    last_name: profile.lastName,
    patronymic: profile.patronymic,
    birthday: profile.birthday,
    sex: profile.sex,
    address: profile.address,
    additional_info: profile.additionalInfo,
    links: JSON.stringify(profile.links),
    confirmed_phone: false,
    registered_at: registeredAt,
    updated_at: registeredAt,
    stream_version: version,
  };
}

async function applyOne(trx: Transaction<Database>, event: ClientEvent, version: number): Promise<void> {
  switch (event.type) {
    case 'ClientRegistered':
      await trx.insertInto('clients').values(registrationRow(event, version)).onConflict((oc) => oc.column('id').doNothing()).execute();
      return;
    case 'ClientProfileChanged':
      await update(trx, event.data.clientId, version, { ...columnsOf(event.data.changes), updated_at: event.data.changedAt });
      return;
    case 'ClientPhoneChanged':
      // A new number logs in with a password only once verified.
      await update(trx, event.data.clientId, version, { phone: event.data.phone, confirmed_phone: false, phone_login_allowed: false, updated_at: event.data.changedAt });
      return;
    case 'ClientPasswordChanged':
      await update(trx, event.data.clientId, version, { updated_at: event.data.changedAt });
      return;
    case 'PhoneVerified':
      await trx
        .updateTable('clients')
        .set({ confirmed_phone: true, phone_login_allowed: true, updated_at: event.data.verifiedAt, stream_version: version })
        .where('id', '=', event.data.clientId)
        .where('phone', '=', event.data.phone)
        .execute();
      return;
    case 'ClientJoinedOrganization':
      await trx
        .insertInto('client_organizations')
        .values({ client_id: event.data.clientId, organization_id: event.data.organizationId, joined_at: event.data.joinedAt })
        .onConflict((oc) => oc.columns(['client_id', 'organization_id']).doNothing())
        .execute();
      return;
    case 'ClientLeftOrganization':
      await trx.deleteFrom('client_organizations').where('client_id', '=', event.data.clientId).where('organization_id', '=', event.data.organizationId).execute();
      return;
    default:
      return;
  }
}

function update(trx: Transaction<Database>, clientId: string, version: number, columns: Updateable<ClientsTable>) {
  return trx.updateTable('clients').set({ ...columns, stream_version: version }).where('id', '=', clientId).execute();
}

export const clientsProjection: Projection = {
  name: 'clients',
  canHandle: ['ClientRegistered', 'ClientProfileChanged', 'ClientPhoneChanged', 'ClientPasswordChanged', 'PhoneVerified', 'ClientJoinedOrganization', 'ClientLeftOrganization'],
  async apply(trx, events) {
    // Registrations dominate a replay: consecutive ones go in as one multi-row insert.
    let registrations: ReturnType<typeof registrationRow>[] = [];
    const flush = async () => {
      if (registrations.length > 0) await trx.insertInto('clients').values(registrations).onConflict((oc) => oc.column('id').doNothing()).execute();
      registrations = [];
    };
    for (const stored of events) {
      const event = toDomainEvent<ClientEvent>(stored);
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
    await trx.deleteFrom('client_organizations').execute();
    await trx.deleteFrom('clients').execute();
  },
};

export function findClient(db: Kysely<Database>, clientId: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
}

/** The client whose current phone this is (codes are sent to it). */
export async function findClientIdByPhone(db: Kysely<Database>, phone: string): Promise<string | undefined> {
  const row = await db.selectFrom('clients').select('id').where('phone', '=', phone).executeTakeFirst();
  return row?.id;
}

/** The client who may log in with a password by this phone: a changed number must be verified first. */
export async function findClientIdForPasswordLogin(db: Kysely<Database>, phone: string): Promise<string | undefined> {
  const row = await db.selectFrom('clients').select('id').where('phone', '=', phone).where('phone_login_allowed', '=', true).executeTakeFirst();
  return row?.id;
}
