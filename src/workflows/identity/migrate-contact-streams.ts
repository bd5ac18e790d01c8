import { asEvent } from '../../events/event.js';
import { legacyContactStream, type ContactEvent, type ContactStreams } from '../../events/identity/contact.js';
import { comparePositions, START, WrongExpectedVersion, type EventMetadata, type EventStore, type Position } from '../../store/port.js';
import { contactDecider, ownerIn } from '../../commands/identity/contact.js';
import { fold } from '../../commands/decider.js';

// The one-time move of login-contact ownership out of the streams named by
// the contact in clear (`phone-+7...`, `staff-phone-+7...`,
// `staff-email-a@b.c`) into the pseudonymous ones that replace them
// (src/events/identity/contact.ts). Without it an upgrade would free every
// owned phone and email for whoever verifies it next.
//
// The old streams stay in the log: it is append-only, so their ids keep the
// contact in clear (docs/privacy.md, "Contact streams"). Nothing reads them
// after this.

export const CONTACT_STREAMS_MIGRATION = 'migration-contact-streams';
const BATCH = 1000;

/**
 * Runs the move unless it ran already; returns how many ownerships it moved,
 * or undefined when it had run. Each is appended only to a pseudonymous
 * stream still empty: one a verification wrote into since the upgrade (its
 * owner proved the contact later) wins, and two processes moving at once
 * cannot make two owners.
 */
export async function pseudonymiseContactStreams(
  // `log` is the log as written: the legacy ids are looked for there.
  deps: { log: EventStore; store: EventStore; contacts: ContactStreams; now: () => Date },
  // Events scanned so far, then the legacy streams moved out of how many (`npm run cli -- migrate` shows it).
  onProgress: (progress: { phase: 'scan' | 'move'; done: number; total?: number }) => void = () => undefined,
): Promise<number | undefined> {
  const { store, contacts } = deps;
  if ((await store.readStream(CONTACT_STREAMS_MIGRATION, { limit: 1 })).length > 0) return undefined;
  const legacy = new Set<string>();
  const head = await deps.log.headPosition();
  let from: Position = START;
  let scanned = 0;
  while (comparePositions(from, head) < 0) {
    const batch = await deps.log.readAll({ from, limit: BATCH });
    if (batch.length === 0) break;
    for (const event of batch) if (legacyContactStream(event.stream)) legacy.add(event.stream);
    from = batch.at(-1)!.position;
    scanned += batch.length;
    onProgress({ phase: 'scan', done: scanned });
  }

  const now = deps.now().toISOString();
  const metadata: EventMetadata = { actor: { kind: 'system', id: 'migration' }, correlationId: CONTACT_STREAMS_MIGRATION, causationId: CONTACT_STREAMS_MIGRATION };
  let moved = 0;
  let looked = 0;
  for (const stream of legacy) {
    onProgress({ phase: 'move', done: looked++, total: legacy.size });
    const ownerId = ownerIn(fold(contactDecider, (await store.readStream(stream)).map((e) => asEvent<ContactEvent>(e))));
    if (ownerId === undefined) continue;
    // The contact as the id names it: the events' own copy may read "[erased]".
    const { field, staff, contact } = legacyContactStream(stream)!;
    const target = field === 'email' ? contacts.staffEmail(contact) : staff ? contacts.staffPhone(contact) : contacts.phone(contact);
    try {
      await store.append(target, [{ type: 'ContactOwned', data: { contact, ownerId, at: now }, metadata }], { expectedVersion: 'no_stream' });
      moved++;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
    }
  }
  if (legacy.size > 0) onProgress({ phase: 'move', done: looked, total: legacy.size });
  try {
    await store.append(CONTACT_STREAMS_MIGRATION, [{ type: 'ContactStreamsPseudonymised', data: { moved, migratedAt: now }, metadata }], { expectedVersion: 'no_stream' });
  } catch (error) {
    // Another process finished the same move first.
    if (!(error instanceof WrongExpectedVersion)) throw error;
  }
  return moved;
}
