import { clientStream } from '../../events/clients/client.js';
import { clientRecordStream, recordIdFor, type Shareable } from '../../events/clients/client-record.js';
import { laterPosition, type EventMetadata, type EventStore, type Position } from '../../store/port.js';
import { clientDecider, PHONE_NOT_VERIFIED, registered, type ClientCommand } from '../../commands/clients/client.js';
import { clientRecordDecider, openRecord, type ClientRecordCommand } from '../../commands/clients/client-record.js';
import { DomainError } from '../../commands/errors.js';
import type { CommandHandler } from '../../commands/handler.js';
import { loadState } from '../../commands/load-state.js';

// The link between an organization's record and a person's account, made
// only with the person's proof (docs/trust-model.md). It is recorded on both
// streams: the account links at most one record per organization, a record
// at most one account. Each step is idempotent, so retries and parallel
// requests converge on one link. Both streams decide before either is
// written; only a race between that read and the appends can leave the first
// step given back (a link and unlink pair).

export interface LinkDeps {
  readonly handle: CommandHandler;
  readonly store: EventStore;
}

type Via = 'accepted' | 'booking';

const notFound = () => new DomainError('not_found', 'Not found.');

async function link(
  deps: LinkDeps,
  command: { clientId: string; recordId: string; organizationId: string; via: Via; shared: readonly Shareable[]; now: string },
  metadata: EventMetadata,
): Promise<Position | undefined> {
  const { clientId, recordId, organizationId, via, shared, now } = command;
  const onAccountCommand: ClientCommand = { type: 'LinkRecord', data: { recordId, organizationId, now } };
  const onRecordCommand: ClientRecordCommand = { type: 'LinkAccount', data: { clientId, via, shared, now } };
  // Both streams decide before either is written: a link either refuses is a 4xx with nothing appended.
  const [account, record] = await Promise.all([loadState(deps.store, clientDecider, clientStream(clientId)), loadState(deps.store, clientRecordDecider, clientRecordStream(recordId))]);
  clientDecider.decide(onAccountCommand, account.state);
  clientRecordDecider.decide(onRecordCommand, record.state);
  const onAccount = await deps.handle(clientDecider, clientStream(clientId), onAccountCommand, metadata);
  try {
    const onRecord = await deps.handle(clientRecordDecider, clientRecordStream(recordId), onRecordCommand, metadata);
    // Linked already (a retry, a parallel request): the reply still waits for the link that was made.
    const made = onRecord.position ?? (await loadState(deps.store, clientRecordDecider, clientRecordStream(recordId))).position;
    return laterPosition(onAccount.position, made);
  } catch (error) {
    // Only a race gets here (the record was linked or removed since it was read): give the account's side back.
    if (onAccount.events.length > 0) {
      await deps.handle(clientDecider, clientStream(clientId), { type: 'UnlinkRecord', data: { recordId, organizationId, now } }, metadata);
    }
    throw error;
  }
}

/**
 * Opens and links the record a person's own booking planned (bookingRecordOf,
 * when their account links none there): made from their account
 * (`recordIdFor`), with their name and verified phone (what a booking form
 * asks). Their booking is their proof.
 */
export async function openRecordForBooking(
  deps: LinkDeps,
  command: { clientId: string; organizationId: string; planned: UnlinkedPlan; now: Date },
  metadata: EventMetadata,
): Promise<{ recordId: string; position: Position | undefined }> {
  const { clientId, organizationId, planned } = command;
  const now = command.now.toISOString();
  const { recordId, open } = planned;
  const opened = await deps.handle(clientRecordDecider, clientRecordStream(recordId), open, metadata);
  try {
    const linkedAt = await link(deps, { clientId, recordId, organizationId, via: 'booking', shared: [], now }, metadata);
    return { recordId, position: laterPosition(opened.position, linkedAt) };
  } catch (error) {
    // Linked meanwhile to another record of this organization (they accepted one): book on that one.
    if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
    const again = registered((await loadState(deps.store, clientDecider, clientStream(clientId))).state).links[organizationId];
    if (again === undefined) throw error;
    return { recordId: again, position: opened.position };
  }
}

type UnlinkedPlan = { recordId: string; linked: false; open: ClientRecordCommand };

/** An organization that erased its record of a person may be booked again: a later record, named the same way by every booking. */
const MAX_RECORDS_PER_ORGANIZATION = 100;

/**
 * The record a booking made from this account opens at this organization:
 * `recordIdFor` the account, or, when the organization erased that one,
 * the next of a series every concurrent booking names alike.
 */
async function bookableRecord(store: EventStore, organizationId: string, clientId: string) {
  for (let generation = 1; generation <= MAX_RECORDS_PER_ORGANIZATION; generation++) {
    const recordId = recordIdFor(organizationId, generation === 1 ? clientId : `${clientId}#${generation}`);
    const { state } = await loadState(store, clientRecordDecider, clientRecordStream(recordId));
    if (state.status !== 'erased') return { recordId, state };
  }
  throw new DomainError('conflict', 'This organization has erased too many records of you to open another.');
}

/**
 * The record a booking by this person at this organization would use,
 * decided from the streams without writing: the record their account links
 * there, else the one that would be opened from their account and linked
 * (by openRecordForBooking). Refuses (an unverified phone, a record that cannot be
 * opened or linked) before anything is appended.
 */
export async function bookingRecordOf(
  store: EventStore,
  clientId: string,
  organizationId: string,
  now: string,
): Promise<{ recordId: string; linked: true } | UnlinkedPlan> {
  const account = registered((await loadState(store, clientDecider, clientStream(clientId))).state);
  if (!account.confirmedPhone) throw new DomainError('forbidden', PHONE_NOT_VERIFIED);
  const linked = account.links[organizationId];
  if (linked !== undefined) return { recordId: linked, linked: true };
  const { recordId, state } = await bookableRecord(store, organizationId, clientId);
  const { firstName, lastName, patronymic } = account.profile;
  const profile = { firstName, lastName, patronymic, email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {} };
  const open: ClientRecordCommand = { type: 'OpenRecord', data: { recordId, organizationId, phone: account.phone, profile, openedBy: 'booking', now } };
  const opened = clientRecordDecider.decide(open, state).reduce(clientRecordDecider.evolve, state);
  clientRecordDecider.decide({ type: 'LinkAccount', data: { clientId, via: 'booking', shared: [], now } }, opened);
  return { recordId, linked: false, open };
}

/**
 * The person accepts a record an organization holds of them: offered only
 * when its contact phone is the account's verified phone. Anything else is
 * a 404, so record ids leak nothing.
 */
export async function acceptRecord(deps: LinkDeps, command: { clientId: string; recordId: string; shared: readonly Shareable[]; now: Date }, metadata: EventMetadata): Promise<Position | undefined> {
  const { clientId, recordId, shared } = command;
  const [account, record] = await Promise.all([loadState(deps.store, clientDecider, clientStream(clientId)), loadState(deps.store, clientRecordDecider, clientRecordStream(recordId))]);
  if (account.state.status !== 'registered' || record.state.status !== 'open') throw notFound();
  const offered = record.state.clientId === clientId || (record.state.clientId === null && record.state.phone === account.state.phone);
  if (!offered) throw notFound();
  if (!account.state.confirmedPhone) throw new DomainError('forbidden', PHONE_NOT_VERIFIED);
  return link(deps, { clientId, recordId, organizationId: record.state.organizationId, via: 'accepted', shared, now: command.now.toISOString() }, metadata);
}

/** Unlinks a record: the person (their own link only) or the organization. */
export async function unlinkRecord(deps: LinkDeps, command: { recordId: string; by: 'client' | 'organization'; clientId: string | null; now: Date }, metadata: EventMetadata): Promise<Position | undefined> {
  const { recordId, by, clientId } = command;
  const now = command.now.toISOString();
  const unlinked = await deps.handle(clientRecordDecider, clientRecordStream(recordId), { type: 'UnlinkAccount', data: { clientId, by, now } }, metadata);
  const event = unlinked.events[0];
  if (event?.type !== 'ClientRecordUnlinked') return unlinked.position;
  const onAccount = await deps.handle(clientDecider, clientStream(event.data.clientId), { type: 'UnlinkRecord', data: { recordId, organizationId: event.data.organizationId, now } }, metadata);
  return laterPosition(unlinked.position, onAccount.position);
}

/** The organization removes its record; a link to it ends with it. */
export async function removeRecord(deps: LinkDeps, command: { recordId: string; now: Date }, metadata: EventMetadata): Promise<Position | undefined> {
  const { recordId } = command;
  const now = command.now.toISOString();
  const stream = clientRecordStream(recordId);
  const before = openRecord((await loadState(deps.store, clientRecordDecider, stream)).state);
  const unlinked = before.clientId === null ? undefined : await unlinkRecord(deps, { recordId, by: 'organization', clientId: null, now: command.now }, metadata);
  const removed = await deps.handle(clientRecordDecider, stream, { type: 'RemoveRecord', data: { now } }, metadata);
  return laterPosition(unlinked, removed.position);
}
