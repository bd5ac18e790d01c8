import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { ClientProfile } from './client.js';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Stream `client-record-{recordId}`: what ONE organization knows of a client
// (name, contact phone, notes, links). It is the organization's, written
// freely by its staff, never a login; appointments name it. It is linked to
// a person's account only by that person (docs/trust-model.md).

export const clientRecordStream = (recordId: string) => `client-record-${recordId}`;
export const clientRecordAuditStream = (recordId: string) => `client-record-audit-${recordId}`;

const NAMESPACE = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/**
 * The record an account has at an organization when it was made from the
 * account (booking there, or a legacy membership): a name-based UUID
 * (RFC 9562 version 5), so concurrent bookings, retries and the migration
 * of old data all name the same record.
 */
export function recordIdFor(organizationId: string, accountId: string): string {
  const namespace = Buffer.from(NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(`${organizationId.toLowerCase()}/${accountId.toLowerCase()}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The account fields a person may share with an organization when linking,
 * each with its snake_case name (the read models' column and the API's field).
 */
export const SHAREABLE = { firstName: 'first_name', lastName: 'last_name', patronymic: 'patronymic', email: 'email', birthday: 'birthday', sex: 'sex' } as const;
export type Shareable = keyof typeof SHAREABLE;

const Ids = { recordId: Type.String(), organizationId: Type.String() };

export const RecordChanges = Type.Partial(Type.Object({ ...ClientProfile.properties, phone: Type.String() }));
export type RecordChanges = Static<typeof RecordChanges>;

export const ClientRecordOpenedData = Type.Object({
  ...Ids,
  /** Contact phone (E.164), as the organization wrote it: never verified, never a login. */
  phone: Type.String(),
  profile: ClientProfile,
  /** Staff added the client; the person booked there; or made from a legacy membership. */
  openedBy: Type.Union([Type.Literal('staff'), Type.Literal('booking'), Type.Literal('migration')]),
  openedAt: Type.String(),
});
export const ClientRecordChangedData = Type.Object({ ...Ids, changes: RecordChanges, changedAt: Type.String() });
export const ClientRecordLinkedData = Type.Object({
  ...Ids,
  clientId: Type.String(),
  via: Type.Union([Type.Literal('accepted'), Type.Literal('booking'), Type.Literal('migration')]),
  /** Account fields the person shows this organization. */
  shared: Type.Array(Type.String()),
  linkedAt: Type.String(),
});
export const ClientRecordUnlinkedData = Type.Object({ ...Ids, clientId: Type.String(), by: Type.Union([Type.Literal('client'), Type.Literal('organization')]), unlinkedAt: Type.String() });
export const ClientRecordRemovedData = Type.Object({ ...Ids, removedAt: Type.String() });
export const ClientRecordErasedData = Type.Object({
  ...Ids,
  /** The person erasing their account (and its linked records), or the organization erasing its own record. */
  by: Type.Union([Type.Literal('client'), Type.Literal('organization')]),
  erasedAt: Type.String(),
});
/** Who looked at a history: a platform admin, staff, the client, the CLI. */
export const HistoryViewer = Type.Object({ kind: Type.String(), id: Nullable(Type.String()) });
export const ClientRecordHistoryViewedData = Type.Object({ ...Ids, viewer: HistoryViewer, asOf: Nullable(Type.String()), viewedAt: Type.String() });

export type ClientRecordOpened = Event<'ClientRecordOpened', Static<typeof ClientRecordOpenedData>>;
export type ClientRecordChanged = Event<'ClientRecordChanged', Static<typeof ClientRecordChangedData>>;
export type ClientRecordLinked = Event<'ClientRecordLinked', Static<typeof ClientRecordLinkedData>>;
export type ClientRecordUnlinked = Event<'ClientRecordUnlinked', Static<typeof ClientRecordUnlinkedData>>;
export type ClientRecordRemoved = Event<'ClientRecordRemoved', Static<typeof ClientRecordRemovedData>>;

/**
 * The record's key was destroyed: what it noted of the person (and the
 * reasons of its appointments' cancellations) reads "[erased]"; its
 * appointments stay in the organization's books. No command reaches it any more.
 */
export type ClientRecordErased = Event<'ClientRecordErased', Static<typeof ClientRecordErasedData>>;

export type ClientRecordEvent = ClientRecordOpened | ClientRecordChanged | ClientRecordLinked | ClientRecordUnlinked | ClientRecordRemoved | ClientRecordErased;

export const clientRecordEventTypes: readonly ClientRecordEvent['type'][] = [
  'ClientRecordOpened',
  'ClientRecordChanged',
  'ClientRecordLinked',
  'ClientRecordUnlinked',
  'ClientRecordRemoved',
  'ClientRecordErased',
];
