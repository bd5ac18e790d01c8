import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { changeClient } from '../../workflows/clients/change-client.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { DomainError } from '../../commands/errors.js';
import type { ClientProfile } from '../../events/clients/client.js';
import { clientRecordStream } from '../../events/clients/client-record.js';
import { findAccountWithOrganizations, findClientAccount } from '../../projections/clients/client-accounts.js';
import { findClientRecord } from '../../projections/clients/client-records.js';
import { sharedWith } from '../../projections/clients/client-record-queries.js';
import type { Position } from '../../store/port.js';
import { STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { clientTarget, type ClientTarget } from './client-access.js';
import { claimOrThrow } from '../identity/codes.js';
import { AccountReply, accountReply, ClientProfileFields, fullProfile, profileChanges, RecordReply, recordReply } from './client-fields.js';
import { FORBIDDEN, NotVisibleYet } from '../errors.js';
import { metadataOf } from '../metadata.js';
import { reauthenticate, ReauthenticationFields } from './client-reauthentication.js';
import { errorReplies, FreeText, Name, Password, Phone, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';

// `/clients/{id}`: a person's own account (to themself, or a platform admin)
// or an organization's record (to its staff). Who may: src/api/client-access.ts.
// The one-purpose PATCHes are seed 001's.

const ClientParams = Type.Object({ client: Uuid });
const EVERYONE = ['client', ...STAFF] as const;
const signedIn = { access: { kind: 'authenticated' as const, principals: EVERYONE } };
const ClientOrRecord = Type.Union([AccountReply, RecordReply]);

export interface Change {
  readonly profile?: Partial<ClientProfile>;
  readonly phone?: string;
  readonly password?: string;
}

export async function accountView(deps: Dependencies, accountId: string) {
  const found = await findAccountWithOrganizations(deps.db, accountId);
  if (!found) throw new NotVisibleYet(accountId);
  return accountReply(found.account, found.organizations);
}

export async function recordView(deps: Dependencies, recordId: string) {
  const row = await findClientRecord(deps.db, recordId);
  if (!row || row.removed_at !== null) throw new NotVisibleYet(recordId);
  return recordReply(row, (await sharedWith(deps.db, [row])).get(row.id));
}

/** Staff write their organization's record freely; it has no password (nobody but the person sets one). */
export async function changeRecord(deps: Dependencies, request: FastifyRequest, recordId: string, change: Change): Promise<Position | undefined> {
  if (change.password !== undefined) throw new DomainError('forbidden', FORBIDDEN);
  const changes = { ...change.profile, ...(change.phone === undefined ? {} : { phone: change.phone }) };
  const handled = await deps.handle(
    clientRecordDecider,
    clientRecordStream(recordId),
    { type: 'ChangeRecord', data: { changes, now: deps.now().toISOString() } },
    metadataOf(request)
  );
  return handled.position;
}

export const clientRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const normalized = (phone: string | undefined) => (phone === undefined ? undefined : deps.normalizePhone(phone)!);

  /** The account's change, once the person re-authenticated (or a platform admin gave a reason). */
  async function changeAccount(
    request: FastifyRequest,
    target: Extract<ClientTarget, { kind: 'account' }>, change: Change, proof: ReauthenticationFields
  ): Promise<Position | undefined> {
    const { accountId } = target;
    const current = await findClientAccount(deps.db, accountId);
    if (!current) throw new DomainError('not_found', 'Not found.');
    const sensitive = change.password !== undefined || (change.phone !== undefined && change.phone !== current.phone);
    const metadata = await reauthenticate(deps, request, target, sensitive, proof);
    const phone = change.phone !== undefined && change.phone !== current.phone ? change.phone : undefined;
    const claimSend = (to: string) => claimOrThrow(deps, request, 'phone_verification', to);
    return changeClient(deps, { clientId: accountId, ...change, phone, challengeId: deps.newId(), claimSend, now: deps.now() }, metadata);
  }

  /** Applies a change the caller may make, waits for the read model, replies with the account or the record. */
  async function change(request: FastifyRequest, id: string, fields: Change, proof: ReauthenticationFields = {}) {
    const target = await clientTarget(deps, request, id, 'write');
    if (target.kind === 'account') {
      const position = await changeAccount(request, target, fields, proof);
      await awaitVisible(deps, position, ['client-accounts'], target.accountId, `/api/v1/clients/${target.accountId}`);
      return accountView(deps, target.accountId);
    }
    const position = await changeRecord(deps, request, target.record.id, fields);
    await awaitVisible(deps, position, ['client-records'], target.record.id, `/api/v1/clients/${target.record.id}`);
    return recordView(deps, target.record.id);
  }

  async function view(request: FastifyRequest, id: string) {
    const target = await clientTarget(deps, request, id, 'read');
    return target.kind === 'account' ? accountView(deps, target.accountId) : recordView(deps, target.record.id);
  }

  app.get('/clients/me', {
    config: { access: { kind: 'authenticated', principals: ['client'] } },
    schema: { tags: ['clients'], summary: 'The signed-in person’s own account.', response: { 200: AccountReply, ...errorReplies(401, 403, 404) } },
  }, async (request) => accountView(deps, principalOf(request).id));

  app.get('/clients/:client', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Your own account (a client), or your organization’s record of a client (staff).',
      params: ClientParams,
      response: { 200: ClientOrRecord, ...errorReplies(401, 403, 404) },
    },
  }, async (request) => view(request, request.params.client));

  app.put('/clients/:client', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Replace every editable field; fields left out are emptied. Your own new phone or password needs `current_password` or `code`.',
      params: ClientParams,
      body: Type.Object({ ...ClientProfileFields, first_name: Name, phone: Phone, password: Type.Optional(Password), ...ReauthenticationFields.properties }),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { phone, password, current_password, code, reason, ...profile } = request.body;
    return change(
      request,
      request.params.client,
      { profile: fullProfile(profile), phone: normalized(phone), ...(password === undefined ? {} : { password }) },
      { current_password, code, reason }
    );
  });

  app.patch('/clients/:client', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Change some fields. Your own new phone or password needs `current_password` or `code`; a new phone is verified again; a new password ends ' +
        'every session.',
      params: ClientParams,
      body: Type.Object({ ...ClientProfileFields, phone: Type.Optional(Phone), password: Type.Optional(Password), ...ReauthenticationFields.properties }),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { phone, password, current_password, code, reason, ...profile } = request.body;
    return change(
      request,
      request.params.client,
      { profile: profileChanges(profile), phone: normalized(phone), ...(password === undefined ? {} : { password }) },
      { current_password, code, reason }
    );
  });

  app.patch('/clients/:client/full_name', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Change the name (seed 001).',
      params: ClientParams,
      body: Type.Object(
        { first_name: Type.Optional(Name), last_name: Type.Optional(Name), patronymic: Type.Optional(Name), reason: ReauthenticationFields.properties.reason },
        { minProperties: 1 }
      ),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { reason, ...name } = request.body;
    return change(request, request.params.client, { profile: profileChanges(name) }, { reason });
  });

  app.patch('/clients/:client/password', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Change your own password (seed 001) with `current_password` or `code`; every session ends. Nobody else sets it.',
      params: ClientParams,
      body: Type.Object({ password: Password, ...ReauthenticationFields.properties }),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { password, ...proof } = request.body;
    return change(request, request.params.client, { password }, proof);
  });

  app.patch('/clients/:client/phone_number', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Your own login phone (with `current_password` or `code`; verified again by SMS), or a record’s contact phone (staff).',
      params: ClientParams,
      body: Type.Object({ phone_number: Phone, ...ReauthenticationFields.properties }),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { phone_number, ...proof } = request.body;
    return change(request, request.params.client, { phone: normalized(phone_number) }, proof);
  });

  app.patch('/clients/:client/additional_info', {
    config: signedIn,
    schema: {
      tags: ['clients'],
      summary: 'Change the additional information (seed 001).',
      params: ClientParams,
      body: Type.Object({ additional_info: FreeText, reason: ReauthenticationFields.properties.reason }),
      response: { 200: ClientOrRecord, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => change(request, request.params.client, { profile: { additionalInfo: request.body.additional_info } }, { reason: request.body.reason }));
};
