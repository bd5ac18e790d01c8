import { ClientProfile } from '../../events/clients/client.js';
import { RecordChanges, type ClientRecordEvent } from '../../events/clients/client-record.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const PROFILE = fieldsOf(ClientProfile);
const CHANGEABLE = fieldsOf(RecordChanges);

// The decider of one organization's client record (`client-record-{id}`).
// Staff change it freely; linking it to an account is the person's act, and a
// record is linked to at most one account.

export interface OpenRecord {
  readonly status: 'open' | 'removed';
  readonly recordId: string;
  readonly organizationId: string;
  readonly phone: string;
  readonly profile: ClientProfile;
  /** The linked account, if any. */
  readonly clientId: string | null;
  readonly shared: readonly string[];
  readonly openedAt: string;
  readonly updatedAt: string;
}

/** Erased (docs/privacy.md): its key is destroyed, so the state keeps ids only. */
export interface ErasedRecord {
  readonly status: 'erased';
  readonly recordId: string;
  readonly organizationId: string;
}

export type ClientRecordState = { readonly status: 'none' } | OpenRecord | ErasedRecord;

export type ClientRecordCommand =
  | { type: 'OpenRecord'; data: { recordId: string; organizationId: string; phone: string; profile: ClientProfile; openedBy: 'staff' | 'booking' | 'migration'; now: string } }
  | { type: 'ChangeRecord'; data: { changes: RecordChanges; now: string } }
  | { type: 'LinkAccount'; data: { clientId: string; via: 'accepted' | 'booking' | 'migration'; shared: readonly string[]; now: string } }
  | { type: 'UnlinkAccount'; data: { clientId: string | null; by: 'client' | 'organization'; now: string } }
  | { type: 'RemoveRecord'; data: { now: string } }
  /** The person erasing their account, or the organization its own record; a removed record is erased too (the log still holds it). */
  | { type: 'EraseRecord'; data: { by: 'client' | 'organization'; now: string } };

const notFound = () => new DomainError('not_found', 'Not found.');

/** The record while it is open; a removed or erased record is gone for every command. */
export function openRecord(state: ClientRecordState): OpenRecord {
  if (state.status !== 'open') throw notFound();
  return state;
}

function decide(command: ClientRecordCommand, state: ClientRecordState): ClientRecordEvent[] {
  switch (command.type) {
    case 'OpenRecord': {
      const { recordId, organizationId, phone, profile, openedBy, now } = command.data;
      // Opening the same record again (a retry, two bookings at once) changes
      // nothing; a record the organization had removed opens anew; an erased
      // one never does (its key is gone: nothing written to it could be read).
      if (state.status === 'erased') throw notFound();
      if (state.status !== 'none') {
        if (state.organizationId !== organizationId) throw conflict('This record belongs to another organization.');
        if (state.status === 'open') return [];
      }
      return [{ type: 'ClientRecordOpened', data: { recordId, organizationId, phone, profile: pick(profile, PROFILE), openedBy, openedAt: now } }];
    }
    case 'ChangeRecord': {
      const record = openRecord(state);
      const changes = changedFields<RecordChanges>(CHANGEABLE, { ...record.profile, phone: record.phone }, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'ClientRecordChanged', data: { recordId: record.recordId, organizationId: record.organizationId, changes, changedAt: command.data.now } }];
    }
    case 'LinkAccount': {
      const record = openRecord(state);
      const { clientId, via, shared, now } = command.data;
      if (record.clientId === clientId) return [];
      if (record.clientId !== null) throw conflict('This record is linked to another account.');
      return [{ type: 'ClientRecordLinked', data: { recordId: record.recordId, organizationId: record.organizationId, clientId, via, shared: [...shared], linkedAt: now } }];
    }
    case 'UnlinkAccount': {
      const record = openRecord(state);
      const { clientId, by, now } = command.data;
      // The person unlinks only their own link; the organization unlinks whoever is linked.
      if (record.clientId === null || (clientId !== null && record.clientId !== clientId)) return [];
      return [{ type: 'ClientRecordUnlinked', data: { recordId: record.recordId, organizationId: record.organizationId, clientId: record.clientId, by, unlinkedAt: now } }];
    }
    case 'RemoveRecord': {
      const record = openRecord(state);
      return [{ type: 'ClientRecordRemoved', data: { recordId: record.recordId, organizationId: record.organizationId, removedAt: command.data.now } }];
    }
    case 'EraseRecord': {
      // Erasing again is a retry finishing the job (or the loser of a race): nothing new.
      if (state.status === 'erased') return [];
      if (state.status === 'none') throw notFound();
      const { recordId, organizationId } = state;
      return [{ type: 'ClientRecordErased', data: { recordId, organizationId, by: command.data.by, erasedAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: ClientRecordState, event: ClientRecordEvent): ClientRecordState {
  if (event.type === 'ClientRecordOpened') {
    const { recordId, organizationId, phone, profile, openedAt } = event.data;
    return { status: 'open', recordId, organizationId, phone, profile, clientId: null, shared: [], openedAt, updatedAt: openedAt };
  }
  if (event.type === 'ClientRecordErased') return { status: 'erased', recordId: event.data.recordId, organizationId: event.data.organizationId };
  if (state.status !== 'open' && state.status !== 'removed') return state;
  switch (event.type) {
    case 'ClientRecordChanged': {
      const { phone, ...profile } = event.data.changes;
      return { ...state, phone: phone ?? state.phone, profile: { ...state.profile, ...profile }, updatedAt: event.data.changedAt };
    }
    case 'ClientRecordLinked':
      return { ...state, clientId: event.data.clientId, shared: event.data.shared, updatedAt: event.data.linkedAt };
    case 'ClientRecordUnlinked':
      return { ...state, clientId: null, shared: [], updatedAt: event.data.unlinkedAt };
    case 'ClientRecordRemoved':
      return { ...state, status: 'removed', clientId: null, shared: [], updatedAt: event.data.removedAt };
    default:
      return state;
  }
}

export const clientRecordDecider: Decider<ClientRecordState, ClientRecordCommand, ClientRecordEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
