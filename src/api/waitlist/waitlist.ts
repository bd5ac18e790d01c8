import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { Nullable } from '../../events/schema.js';
import { WAITLIST_STATUSES, type WaitlistClient } from '../../events/waitlist/entry.js';
import { isLinkedRecord } from '../../projections/scheduling/appointment-queries.js';
import { findOrganization } from '../../projections/organizations/organization-queries.js';
import { findWaitlistEntry, listWaitlistEntries } from '../../projections/waitlist/entries.js';
import type { WaitlistEntryRow } from '../../projections/waitlist/tables.js';
import type { Position } from '../../store/port.js';
import { acceptOffer, joinWaitlist, withdrawEntry } from '../../workflows/waitlist/entries.js';
import { organizationGrantOf } from '../access.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';
import { FORBIDDEN, NotVisibleYet } from '../errors.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { actorRefOf, BOOKERS } from '../scheduling/appointments.js';
import { authorizeInOrganization, EVERYONE } from '../scheduling/scheduling-access.js';
import { LocalDate } from '../scheduling/scheduling-schemas.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// The waitlist: a client waits for a time of a service (with one specialist
// or any who offers it) within a window of dates and local hours; staff
// (owner, admin, manager) put a record of theirs on it too. A freed time is
// offered by the waitlist's reactor (src/workflows/waitlist/): a pending
// appointment held for WAITLIST_HOLD_MINUTES, told by SMS, accepted here.
// An entry is seen by its client (the account that joined, or the person
// linked to its record) and the organization's staff; anyone else finds nothing.

const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local HH:MM in the specialist’s zone.' });
const LocalTimeOrEnd = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'Local HH:MM; 24:00 is the end of the day.' });

const JoinBody = Type.Object({
  service_id: Uuid,
  /** Left out: any specialist who offers the service. */
  specialist_id: Type.Optional(Uuid),
  /** Staff: a client record of the organization. A client joining for themself leaves it out (or names their own account). */
  client_id: Type.Optional(Uuid),
  from_date: LocalDate,
  to_date: LocalDate,
  /** Left out: the whole day. */
  from_time: Type.Optional(LocalTime),
  to_time: Type.Optional(LocalTimeOrEnd),
});

const EntryParams = Type.Object({ id: Uuid });

const EntryReply = named('WaitlistEntry', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  /** 'account': a client joined for themself (`client_id` is their account); 'record': staff named a record of theirs. */
  client_kind: Type.Union([Type.Literal('account'), Type.Literal('record')]),
  client_id: Uuid,
  service_id: Uuid,
  specialist_id: Nullable(Uuid),
  from_date: LocalDate,
  to_date: LocalDate,
  from_time: Type.String(),
  to_time: Type.String(),
  status: Type.Enum(WAITLIST_STATUSES),
  /** The offer's appointment (pending until accepted), once a time is offered. */
  appointment_id: Nullable(Uuid),
  /** When an open offer lapses unaccepted. */
  expires_at: Nullable(Timestamp),
  created_at: Timestamp,
}, { description: 'A client waiting for a time of a service, and the offer they were made, if any.' }));

const replyOf = (row: WaitlistEntryRow) => ({
  id: row.id,
  organization_id: row.organization_id,
  client_kind: row.client_kind as WaitlistClient['kind'],
  client_id: row.client_id,
  service_id: row.service_id,
  specialist_id: row.specialist_id,
  from_date: row.from_date,
  to_date: row.to_date,
  from_time: row.from_time,
  to_time: row.to_time,
  status: row.status as (typeof WAITLIST_STATUSES)[number],
  appointment_id: row.appointment_id,
  expires_at: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  created_at: new Date(row.created_at).toISOString(),
});

/** The entry once the caller may act on it: its client, or staff of its organization. */
async function authorizedEntry(deps: Dependencies, request: FastifyRequest, entryId: string): Promise<WaitlistEntryRow> {
  const row = await findWaitlistEntry(deps.db, entryId);
  const principal = principalOf(request);
  if (principal.kind === 'client') {
    const own = row && (row.client_kind === 'account' ? row.client_id === principal.id : await isLinkedRecord(deps.db, row.client_id, principal.id));
    if (!row || !own) throw new DomainError('not_found', 'Not found.');
    return row;
  }
  await authorizeInOrganization(deps, request, row?.organization_id, BOOKERS);
  return row!;
}

/** `appointments` too when the change confirmed or cancelled the offer's appointment: read after the reply, it has. */
async function present(deps: Dependencies, entryId: string, position: Position | undefined, projections: readonly string[] = ['waitlist-entries']) {
  await awaitVisible(deps, position, projections, entryId, `/api/v1/waitlist/${entryId}`);
  const row = await findWaitlistEntry(deps.db, entryId);
  if (!row) throw new NotVisibleYet(entryId);
  return replyOf(row);
}

export const waitlistRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const streams = { handle: deps.handle, store: deps.store };

  app.post('/organizations/:org/waitlist', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['waitlist'],
      summary: 'Wait for a time of a service (a client for themself; or owner, admin, manager for a record of theirs).',
      params: OrgParams,
      body: JoinBody,
      response: { 201: EntryReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const organizationId = request.params.org;
    const principal = principalOf(request);
    const { body } = request;
    let client: WaitlistClient;
    if (principal.kind === 'client') {
      if (body.client_id !== undefined && body.client_id !== principal.id) throw new DomainError('forbidden', FORBIDDEN);
      if (!(await findOrganization(deps.db, organizationId))) throw new DomainError('not_found', 'Not found.');
      client = { kind: 'account', id: principal.id };
    } else {
      await authorizeInOrganization(deps, request, organizationId, BOOKERS);
      if (body.client_id === undefined) throw new DomainError('invalid', 'Invalid input.', { client_id: ['This field is required.'] });
      client = { kind: 'record', id: body.client_id };
    }
    const entryId = deps.newId();
    const position = await joinWaitlist(streams, {
      entryId,
      organizationId,
      client,
      serviceId: body.service_id,
      specialistId: body.specialist_id ?? null,
      window: { fromDate: body.from_date, toDate: body.to_date, fromTime: body.from_time ?? '00:00', toTime: body.to_time ?? '24:00' },
      by: actorRefOf(request),
      now: deps.now(),
    }, metadataOf(request));
    return reply.code(201).send(await present(deps, entryId, position));
  });

  app.get('/organizations/:org/waitlist', {
    config: { access: { kind: 'organization', param: 'org', roles: BOOKERS } },
    schema: {
      tags: ['waitlist'],
      summary: 'The organization’s waitlist, oldest first, every status (owner, admin, manager).',
      params: OrgParams,
      response: { 200: Type.Array(EntryReply), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => (await listWaitlistEntries(deps.db, organizationGrantOf(request).organizationId)).map(replyOf));

  app.get('/waitlist/:id', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['waitlist'],
      summary: 'One waitlist entry (its client, or owner, admin, manager of its organization).',
      params: EntryParams,
      response: { 200: EntryReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => replyOf(await authorizedEntry(deps, request, request.params.id)));

  app.post('/waitlist/:id/accept', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['waitlist'],
      summary: 'Accept the offered time before it expires: the pending appointment is confirmed (its client, or owner, admin, manager).',
      params: EntryParams,
      response: { 200: EntryReply, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const row = await authorizedEntry(deps, request, request.params.id);
    const position = await acceptOffer(streams, row.id, actorRefOf(request), deps.now(), metadataOf(request));
    return present(deps, row.id, position, ['waitlist-entries', 'appointments']);
  });

  app.delete('/waitlist/:id', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['waitlist'],
      summary: 'Leave the waitlist; an open offer’s pending appointment is cancelled (its client, or owner, admin, manager).',
      params: EntryParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const row = await authorizedEntry(deps, request, request.params.id);
    const position = await withdrawEntry(streams, row.id, actorRefOf(request), deps.now(), metadataOf(request));
    await awaitVisible(deps, position, ['waitlist-entries', 'appointments'], row.id, `/api/v1/waitlist/${row.id}`);
    return reply.code(204).send(null);
  });
};
