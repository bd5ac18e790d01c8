import { clientDecider, type ClientState } from '../../commands/clients/client.js';
import { clientRecordDecider, type ClientRecordState } from '../../commands/clients/client-record.js';
import { fold } from '../../commands/decider.js';
import { appointmentStream } from '../../events/scheduling/appointment.js';
import { asEvent } from '../../events/event.js';
import { clientAuditStream } from '../../events/clients/client-audit.js';
import { clientStream, type ClientEvent } from '../../events/clients/client.js';
import { clientRecordAuditStream, clientRecordStream, type ClientRecordEvent } from '../../events/clients/client-record.js';
import type { CatalogedEventStore } from '../../store/cataloged.js';
import { chainOf } from '../../store/chain-heads.js';
import type { EventStore, StoredEvent } from '../../store/port.js';

// A client's history for auditors, read from the log itself (not a table),
// in one of two views (docs/trust-model.md, "History"):
//
// - an ACCOUNT: the person's own stream and the looks at it;
// - a RECORD: one organization's record, the looks at it and its
//   appointments; only that organization's own staff are named.
//
// Entries are numbered per view, so no gap hints at events left out. Each
// carries its event's hash (docs/audit.md), which an auditor can compare
// with what `audit verify` checks.

export interface HistoryEntry {
  readonly id: string;
  readonly sequence: number;
  readonly type: string;
  readonly occurred_at: string;
  readonly actor: { kind: string; id: string | null };
  readonly correlation_id: string;
  readonly request_id: string | null;
  readonly changes: Record<string, unknown>;
  /** The event's chained hash: stored with it, or computed for events written before events carried one. */
  readonly hash: string;
}

export type HistoryView =
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'record'; readonly recordId: string; readonly appointmentIds: readonly string[]; readonly named: ((actorId: string) => boolean) | 'all' };

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Keys in snake case; in a record view, `{kind, id}` actors the organization may not name lose their id. */
function present(value: unknown, named: (id: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => present(v, named));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const isActor = typeof object.kind === 'string' && typeof object.id === 'string' && Object.keys(object).length <= 2;
  if (isActor && !named(object.id as string)) return { kind: object.kind };
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [snake(k), present(v, named)]));
}

// Ids that only repeat the view's own subject, or name a code's row, say nothing to an auditor.
const OMITTED = new Set(['clientId', 'recordId', 'challengeId', 'schemaVersion']);

type Hashed = StoredEvent & { readonly hash: string };

function entry(event: Hashed, sequence: number, named: (id: string) => boolean): HistoryEntry {
  const { type, data: domain } = asEvent(event);
  const data = domain as Record<string, unknown>;
  const changes = Object.fromEntries(Object.entries(data).filter(([k]) => !OMITTED.has(k)));
  const actor = event.metadata.actor;
  return {
    id: event.id,
    sequence,
    type,
    occurred_at: event.createdAt.toISOString(),
    actor: { kind: actor.kind, id: actor.id !== undefined && named(actor.id) ? actor.id : null },
    correlation_id: event.metadata.correlationId,
    request_id: event.metadata.requestId ?? null,
    changes: present(changes, named) as Record<string, unknown>,
    hash: event.hash,
  };
}

/**
 * A stream's events with their hashes. Events written before events carried
 * one get the hash computed from the stream as written (ciphertext, not
 * upcast), as `audit verify` computes it: the store's `raw` log.
 */
async function hashedStream(store: CatalogedEventStore, stream: string): Promise<Hashed[]> {
  const events = await store.readStream(stream);
  if (events.every((e) => e.metadata.hash)) return events.map((e) => ({ ...e, hash: e.metadata.hash! }));
  const chain = chainOf(await store.raw.readStream(stream));
  return events.map((e) => ({ ...e, hash: e.metadata.hash ?? chain[e.version]! }));
}

function streamsOf(view: HistoryView): string[] {
  return view.kind === 'account'
    ? [clientStream(view.accountId), clientAuditStream(view.accountId)]
    : [clientRecordStream(view.recordId), clientRecordAuditStream(view.recordId), ...view.appointmentIds.map(appointmentStream)];
}

export async function clientHistory(store: CatalogedEventStore, view: HistoryView): Promise<HistoryEntry[]> {
  const events = (await Promise.all(streamsOf(view).map((s) => hashedStream(store, s)))).flat();
  const named = view.kind === 'account' || view.named === 'all' ? () => true : view.named;
  return events
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.stream === b.stream ? a.version - b.version : a.stream.localeCompare(b.stream)))
    .map((event, i) => entry(event, i + 1, named));
}

const until = (events: readonly StoredEvent[], asOf: Date) => events.filter((e) => e.createdAt.getTime() <= asOf.getTime());

/** The person's account as it was at `asOf`. */
export async function accountAsOf(store: EventStore, accountId: string, asOf: Date): Promise<ClientState> {
  return fold(clientDecider, until(await store.readStream(clientStream(accountId)), asOf).map((e) => asEvent<ClientEvent>(e)));
}

/** The organization's record as it was at `asOf`. */
export async function recordAsOf(store: EventStore, recordId: string, asOf: Date): Promise<ClientRecordState> {
  return fold(clientRecordDecider, until(await store.readStream(clientRecordStream(recordId)), asOf).map((e) => asEvent<ClientRecordEvent>(e)));
}
