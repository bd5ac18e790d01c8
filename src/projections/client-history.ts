import { clientDecider, type ClientState } from '../commands/client.js';
import { fold } from '../commands/decider.js';
import { toDomainEvent } from '../events/catalogue.js';
import { clientAuditStream } from '../events/client-audit.js';
import { clientStream, type ClientEvent } from '../events/client.js';
import type { EventStore, StoredEvent } from '../store/port.js';

// A client's history for auditors, read from the log itself (not a table):
// every event of the client's streams, oldest first, with who did it and why,
// and the profile as it was at any moment, folded from the events.

export interface HistoryEntry {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly version: number;
  readonly occurred_at: string;
  readonly actor: { kind: string; id: string | null };
  readonly correlation_id: string;
  readonly request_id: string | null;
  readonly changes: Record<string, unknown>;
}

/** Organizations a viewer may see; undefined: all. */
export type OrganizationFilter = ((organizationId: string) => boolean) | undefined;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]));
}

// Ids that only repeat the stream's own subject, or name a code's row, say nothing to an auditor.
const OMITTED = new Set(['clientId', 'challengeId', 'schemaVersion']);

function entry(event: StoredEvent): HistoryEntry {
  const data = toDomainEvent(event).data as Record<string, unknown>;
  const changes = Object.fromEntries(Object.entries(data).filter(([k]) => !OMITTED.has(k)));
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    version: event.version,
    occurred_at: event.createdAt.toISOString(),
    actor: { kind: event.metadata.actor.kind, id: event.metadata.actor.id ?? null },
    correlation_id: event.metadata.correlationId,
    request_id: event.metadata.requestId ?? null,
    changes: snakeKeys(changes) as Record<string, unknown>,
  };
}

/** Events about organizations the viewer is not staff of are not theirs to see. */
function visible(event: StoredEvent, filter: OrganizationFilter): boolean {
  const organizationId = (event.data as { organizationId?: unknown }).organizationId;
  return filter === undefined || typeof organizationId !== 'string' || filter(organizationId);
}

export async function clientHistory(store: EventStore, clientId: string, filter: OrganizationFilter): Promise<HistoryEntry[]> {
  const [own, audit] = await Promise.all([store.readStream(clientStream(clientId)), store.readStream(clientAuditStream(clientId))]);
  return [...own, ...audit]
    .filter((e) => visible(e, filter))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.stream === b.stream ? a.version - b.version : 0))
    .map(entry);
}

/** The client as they were at `asOf`: the fold of every event recorded until then. */
export async function clientAsOf(store: EventStore, clientId: string, asOf: Date): Promise<ClientState> {
  const events = await store.readStream(clientStream(clientId));
  return fold(clientDecider, events.filter((e) => e.createdAt.getTime() <= asOf.getTime()).map((e) => toDomainEvent<ClientEvent>(e)));
}
