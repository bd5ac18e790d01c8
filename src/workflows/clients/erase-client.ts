import { loginAccount } from '../../auth/login-throttle.js';
import { revokeSubject } from '../../auth/refresh-tokens.js';
import { clientStream, type ClientEvent } from '../../events/clients/client.js';
import { asEvent } from '../../events/event.js';
import { ERASED } from '../../events/personal.js';
import { laterPosition, type EventMetadata, type EventStore, type Position } from '../../store/port.js';
import { clientDecider } from '../../commands/clients/client.js';
import { contactDecider } from '../../commands/identity/contact.js';
import { closeRecord, eventsInClear, vacuumKeys, type ErasureDeps } from './erase-record.js';

// A person erases their account (GDPR art. 17; docs/privacy.md, "Erasure"),
// or a platform admin does on their verified request. ClientErased decides
// it: appended with the version the account was read at, so of concurrent
// erasures exactly one records it. Every later step is idempotent and runs
// again on a retry (or for the loser of the race), so a crash part-way is
// finished by asking again. What needs the person's phone in clear runs
// before their key is destroyed, which comes last.

export interface ClientErasure {
  /** The organizations' records erased with the account. */
  readonly records: readonly string[];
  /** The last event appended, for the reply to wait for the read models. */
  readonly position: Position | undefined;
  /** The person's events written before encryption: still readable (docs/privacy.md). */
  readonly eventsInClear: number;
}

/** Every login phone the account named, read while its key still opens them (none once it is gone). */
async function phonesOf(store: EventStore, clientId: string): Promise<string[]> {
  const phones = new Set<string>();
  for (const stored of await store.readStream(clientStream(clientId))) {
    const event = asEvent<ClientEvent>(stored);
    if (event.type === 'ClientRegistered') phones.add(event.data.phone);
    if (event.type === 'ClientPhoneChanged') phones.add(event.data.phone).add(event.data.previousPhone);
  }
  phones.delete(ERASED);
  return [...phones];
}

/**
 * What the service keeps about the person outside the log: password,
 * sessions, codes, login throttles. Send quotas are keyed by the phone's
 * pseudonym, not the phone, and stay: erasing and registering again must not
 * reset a number's SMS caps.
 */
async function forgetAccess(deps: ErasureDeps, clientId: string, phones: readonly string[], now: Date): Promise<void> {
  const { db } = deps;
  await db.deleteFrom('credentials').where('subject_id', '=', clientId).execute();
  await revokeSubject(db, clientId, now);
  await db.deleteFrom('code_challenges').where('subject_id', '=', clientId).execute();
  // The login throttle's keys (src/api/identity/sessions.ts, reauthentication.ts).
  const throttled = [`reauth:${clientId}`, `check:${clientId}`, ...phones.map((phone) => loginAccount('phone', deps.contacts.destination(phone)))];
  await db.deleteFrom('login_failures').where('account', 'in', throttled).execute();
}

export async function eraseClient(deps: ErasureDeps, command: { clientId: string; by: 'client' | 'platform_admin'; now: Date }, metadata: EventMetadata): Promise<ClientErasure> {
  const { clientId } = command;
  const now = command.now.toISOString();
  const decided = await deps.handle(clientDecider, clientStream(clientId), { type: 'EraseClient', data: { by: command.by, now } }, metadata);
  if (decided.state.status !== 'erased') throw new Error(`EraseClient left ${clientId} ${decided.state.status}`);
  const { records } = decided.state;
  let position = decided.position;

  const phones = await phonesOf(deps.store, clientId);
  // The number they own is free for whoever verifies it next (a new account may register it at once).
  for (const phone of phones) {
    const released = await deps.handle(contactDecider, deps.contacts.phone(phone), { type: 'ReleaseContact', data: { contact: phone, ownerId: clientId, now } }, metadata);
    position = laterPosition(position, released.position);
  }
  await forgetAccess(deps, clientId, phones, command.now);
  for (const recordId of records) position = laterPosition(position, await closeRecord(deps, recordId, 'client', now, metadata));

  await deps.store.keys.erase([clientId, ...records], command.now);
  await vacuumKeys(deps.db);
  return { records, position, eventsInClear: await eventsInClear(deps, [clientStream(clientId)], records, phones.map(deps.contacts.phone)) };
}
