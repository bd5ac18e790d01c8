import Type, { type Static } from 'typebox';
import { ClientRecordHistoryViewedData, HistoryViewer } from './client-record.js';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Who read a client's history, and when: `client-audit-{accountId}` for a
// person's account, `client-record-audit-{recordId}` for an organization's
// record (so an organization sees only the looks at its own record). Apart
// from the streams read, so reading never races with changing.

export const clientAuditStream = (clientId: string) => `client-audit-${clientId}`;

export type Viewer = Static<typeof HistoryViewer>;

export const ClientHistoryViewedData = Type.Object({ clientId: Type.String(), viewer: HistoryViewer, asOf: Nullable(Type.String()), viewedAt: Type.String() });

export type ClientHistoryViewed = Event<'ClientHistoryViewed', Static<typeof ClientHistoryViewedData>>;
export type ClientRecordHistoryViewed = Event<'ClientRecordHistoryViewed', Static<typeof ClientRecordHistoryViewedData>>;

export type ClientAuditEvent = ClientHistoryViewed | ClientRecordHistoryViewed;
