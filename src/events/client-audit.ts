import type { Event } from './event.js';

// Who read a client's history, and when: `client-audit-{accountId}` for a
// person's account, `client-record-audit-{recordId}` for an organization's
// record (so an organization sees only the looks at its own record). Apart
// from the streams read, so reading never races with changing.

export const clientAuditStream = (clientId: string) => `client-audit-${clientId}`;

export interface Viewer {
  readonly kind: string;
  readonly id: string | null;
}

export type ClientHistoryViewed = Event<'ClientHistoryViewed', { clientId: string; viewer: Viewer; asOf: string | null; viewedAt: string }>;
export type ClientRecordHistoryViewed = Event<'ClientRecordHistoryViewed', { recordId: string; organizationId: string; viewer: Viewer; asOf: string | null; viewedAt: string }>;

export type ClientAuditEvent = ClientHistoryViewed | ClientRecordHistoryViewed;
