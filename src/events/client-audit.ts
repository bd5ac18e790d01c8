import type { Event } from './event.js';

// Stream `client-audit-{clientId}`: who read a client's history, and when.
// Apart from the client's own stream so reading never races with changing.

export const clientAuditStream = (clientId: string) => `client-audit-${clientId}`;

export type ClientHistoryViewed = Event<
  'ClientHistoryViewed',
  { clientId: string; viewer: { kind: string; id: string | null }; asOf: string | null; viewedAt: string }
>;

export type ClientAuditEvent = ClientHistoryViewed;
