import { releaseClaim, settleClaim } from './claims.js';
import { DomainError } from '../../commands/errors.js';
import { createCommandHandler } from '../../commands/handler.js';
import type { AppointmentEvent } from '../../events/scheduling/appointment.js';
import { isReleasing, releasedSlotOf, releaseReasonOf, releasingEventTypes } from '../../events/scheduling/appointment.js';
import { asEvent } from '../../events/event.js';
import type { ScheduleEvent } from '../../events/scheduling/schedule.js';
import { scheduleStream } from '../../events/scheduling/schedule.js';
import type { Projection } from '../../projections/projection.js';
import type { EventMetadata, EventStore, StoredEvent } from '../../store/port.js';
import { withTimeout, type JobHandler, type JobQueue } from '../../jobs/queue.js';

// The safety net of src/workflows/scheduling/claims.ts, driven by the log. Every claim is
// settled (finished or undone) and every time an appointment gave up is
// released, even when the request that started the work died half-way.
// The request does the same inline; both are idempotent, so the second to
// come does nothing. The reactor only enqueues (it runs inside its
// checkpoint's transaction, where store I/O could wait on itself); the
// worker does the work, a little later than the request would have.

export const SETTLE_CLAIM = 'settle-claim';
export const RELEASE_TIME = 'release-time';

/** Long enough for the request that made a claim to finish with it first. */
const SETTLE_DELAY_MS = 5_000;
const RELEASE_DELAY_MS = 1_000;
const ENQUEUE_TIMEOUT_MS = 3000;

export function claimSettlementReactor(jobs: JobQueue): Projection {
  return {
    name: 'reactor-claim-settlement',
    canHandle: ['SlotClaimed', ...releasingEventTypes],
    async apply(_trx, events) {
      for (const event of events) {
        const ids = { stream: event.stream, eventId: event.id };
        if (event.type === 'SlotClaimed') {
          const claim = asEvent<ScheduleEvent>(event).data as { claimId: string; organizationId: string; days: string[] };
          // Once per claim: from its first day, which every driver holds first.
          if (event.stream !== scheduleStream(claim.organizationId, claim.days[0] ?? '')) continue;
          await withTimeout(jobs.enqueue(SETTLE_CLAIM, ids, { jobId: `settle-${claim.claimId}`, delayMs: SETTLE_DELAY_MS }), ENQUEUE_TIMEOUT_MS);
        } else {
          await withTimeout(jobs.enqueue(RELEASE_TIME, ids, { jobId: `release-${event.id}`, delayMs: RELEASE_DELAY_MS }), ENQUEUE_TIMEOUT_MS);
        }
      }
    },
    // Its effects are appends already in the log: nothing to rebuild.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}

const systemMetadata = (event: StoredEvent): EventMetadata => ({ actor: { kind: 'system' }, correlationId: event.metadata.correlationId, causationId: event.id });

async function storedEvent(store: EventStore, data: Record<string, string>): Promise<StoredEvent> {
  const { stream, eventId } = data;
  if (!stream || !eventId) throw new Error('claim job without stream and eventId');
  const event = (await store.readStream(stream)).find((e) => e.id === eventId);
  if (!event) throw new Error(`claim job: event ${eventId} not found in ${stream}`);
  return event;
}

export function settleClaimHandler(deps: { store: EventStore; now: () => Date }): JobHandler<Record<string, string>> {
  const claims = { handle: createCommandHandler(deps.store), store: deps.store };
  return async (data) => {
    const event = await storedEvent(deps.store, data);
    const claimed = asEvent<ScheduleEvent>(event);
    if (claimed.type !== 'SlotClaimed') throw new Error(`settle-claim: event ${event.id} is a ${event.type}`);
    const { schemaVersion: _version, claimedAt: _claimedAt, ...claim } = claimed.data;
    try {
      await settleClaim(claims, claim, systemMetadata(event), deps.now().toISOString());
    } catch (error) {
      // Refused or superseded is a settled outcome too.
      if (!(error instanceof DomainError)) throw error;
    }
  };
}

export function releaseTimeHandler(deps: { store: EventStore; now: () => Date }): JobHandler<Record<string, string>> {
  const claims = { handle: createCommandHandler(deps.store), store: deps.store };
  return async (data) => {
    const event = await storedEvent(deps.store, data);
    const domain = asEvent<AppointmentEvent>(event);
    if (!isReleasing(domain)) throw new Error(`release-time: event ${event.id} is a ${event.type}`);
    const given = releasedSlotOf(domain);
    await releaseClaim(claims, { ...given, organizationId: domain.data.organizationId }, releaseReasonOf[domain.type], systemMetadata(event), deps.now().toISOString());
  };
}
