import type { Kysely, Transaction } from 'kysely';
import type { ClientRow, Database } from '../db/database.js';
import { toDomainEvent } from '../events/catalogue.js';
import type { ClientEvent } from '../events/client.js';
import type { Projection } from './projection.js';

// Read model `clients`: one row per client, the profile as staff and the
// client see it.

async function applyOne(trx: Transaction<Database>, event: ClientEvent, version: number, at: Date): Promise<void> {
  switch (event.type) {
    case 'ClientRegistered': {
      const { clientId, phone, profile, registeredAt } = event.data;
      await trx
        .insertInto('clients')
        .values({
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
          confirmed_phone: false,
          registered_at: registeredAt,
          updated_at: at,
          stream_version: version,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'PhoneVerified':
      await trx
        .updateTable('clients')
        .set({ confirmed_phone: true, updated_at: at, stream_version: version })
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

export const clientsProjection: Projection = {
  name: 'clients',
  canHandle: ['ClientRegistered', 'PhoneVerified', 'ClientJoinedOrganization', 'ClientLeftOrganization'],
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, toDomainEvent<ClientEvent>(stored), stored.version, stored.createdAt);
  },
  async reset(trx) {
    await trx.deleteFrom('client_organizations').execute();
    await trx.deleteFrom('clients').execute();
  },
};

export function findClient(db: Kysely<Database>, clientId: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
}

export async function findClientIdByPhone(db: Kysely<Database>, phone: string): Promise<string | undefined> {
  const row = await db.selectFrom('clients').select('id').where('phone', '=', phone).executeTakeFirst();
  return row?.id;
}
