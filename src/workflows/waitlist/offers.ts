import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Claim } from '../../events/scheduling/schedule.js';
import { scheduleStream } from '../../events/scheduling/schedule.js';
import { waitlistEntryStream } from '../../events/waitlist/entry.js';
import { DomainError } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { dayClaims } from '../../commands/waitlist/day-claims.js';
import { waitlistDecider, type WaitlistEntry } from '../../commands/waitlist/entry.js';
import { suits } from '../../commands/waitlist/matching.js';
import { listWaitlistEntries } from '../../projections/waitlist/entries.js';
import type { EventMetadata } from '../../store/port.js';
import { bookAppointment, type BookRequest } from '../scheduling/booking.js';
import { loadAppointment, type ClaimDeps } from '../scheduling/claims.js';
import { activeServiceOf } from '../scheduling/schedule-reads.js';

// A freed time goes to the oldest waiting entry it suits. The offer is
// recorded on the entry first (its decider refuses a second open offer, so
// two freed times never both go to one entry), then booked like any booking:
// a pending appointment whose claim is decided on the day stream and holds
// the time. When the booking fails the offer lapses: if this client cannot be
// booked then, the next entry is tried; if someone else took the time, the
// search stops (a freed time again is a release of its own).
// Run again for the same release (a retried job), it finds its own offer and
// finishes it: an offer is made once.

const MINUTE = 60_000;

export interface OfferDeps extends ClaimDeps {
  readonly db: Kysely<Database>;
  readonly holdMinutes: number;
  readonly now: () => Date;
}

/** Who booked an offer's appointment: the entry (the reactor sends its SMS on seeing it). */
export const WAITLIST_ACTOR = 'waitlist';

/** The released claim, read from the day stream that released it; once per claim, from its first day. */
export async function releasedClaim(deps: ClaimDeps, stream: string, claimId: string): Promise<Claim | undefined> {
  const claim = (await loadState(deps.store, dayClaims, stream)).state[claimId];
  return claim && stream === scheduleStream(claim.organizationId, claim.days[0] ?? claim.day) ? claim : undefined;
}

/** The day stream refused the time itself (not this client's own other booking): nobody else can have it now. */
const TIME_TAKEN = ['specialist_id', 'place_id', 'start'];

/**
 * Books the offer's pending appointment: 'booked'; 'client' when this client
 * cannot be booked then (another appointment of theirs, a notice too short);
 * 'taken' when someone else took the time.
 */
async function bookOffer(deps: OfferDeps, entry: WaitlistEntry, appointmentId: string, freed: Claim, metadata: EventMetadata): Promise<'booked' | 'client' | 'taken'> {
  if ((await loadAppointment(deps.store, appointmentId)).state.appointment) return 'booked';
  const byAccount = entry.client.kind === 'account';
  // A booking by the service: its name, duration, price and seats are the catalogue's, for a client's own entry too.
  const request: BookRequest = {
    appointmentId,
    organizationId: entry.organizationId,
    client: byAccount ? { kind: 'self', accountId: entry.client.id } : { kind: 'record', recordId: entry.client.id },
    serviceId: entry.serviceId,
    specialistId: freed.specialistId,
    placeId: freed.placeId,
    start: Date.parse(freed.start),
    service: undefined,
    cost: undefined,
    bookedBy: { kind: WAITLIST_ACTOR, id: entry.entryId },
    now: deps.now(),
  };
  try {
    await bookAppointment({ ...deps, newId: randomUUID }, request, metadata);
    return 'booked';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const taken = error.kind === 'conflict' && (!error.fields || TIME_TAKEN.some((field) => error.fields![field]));
    return taken ? 'taken' : 'client';
  }
}

/** Offers the time a claim gave back to the first waiting entry it suits; the others keep waiting. */
export async function offerFreedTime(deps: OfferDeps, freed: Claim, metadata: EventMetadata): Promise<void> {
  // A time already begun (a no-show is marked after the start) can be booked by nobody.
  if (Date.parse(freed.start) <= deps.now().getTime()) return;
  const rows = await listWaitlistEntries(deps.db, freed.organizationId, true);
  for (const row of rows) {
    const stream = waitlistEntryStream(row.id);
    const entry = (await loadState(deps.store, waitlistDecider, stream)).state.entry;
    if (!entry) continue;
    const resumed = entry.status === 'offered' && entry.offer?.claimId === freed.claimId;
    if (entry.status !== 'waiting' && !resumed) continue;
    const service = await activeServiceOf(deps.store, entry.serviceId, entry.organizationId);
    if (!service || !suits(entry, service.details, freed)) continue;
    const durationMinutes = service.details.durationMinutes;
    const now = deps.now();
    const appointmentId = resumed ? entry.offer!.appointmentId : randomUUID();
    if (!resumed) {
      const offer = {
        appointmentId,
        claimId: freed.claimId,
        specialistId: freed.specialistId,
        start: freed.start,
        end: new Date(Date.parse(freed.start) + durationMinutes * MINUTE).toISOString(),
        expiresAt: new Date(now.getTime() + deps.holdMinutes * MINUTE).toISOString(),
        now: now.toISOString(),
      };
      try {
        await deps.handle(waitlistDecider, stream, { type: 'MakeOffer', data: offer }, metadata);
      } catch (error) {
        // Offered another time meanwhile, or withdrawn: the next one.
        if (error instanceof DomainError) continue;
        throw error;
      }
    }
    const booked = await bookOffer(deps, entry, appointmentId, freed, metadata);
    if (booked === 'booked') return;
    await deps.handle(waitlistDecider, stream, { type: 'LapseOffer', data: { appointmentId, now: deps.now().toISOString() } }, metadata);
    if (booked === 'taken') return;
  }
}
