import type { Claim, ScheduleEvent } from '../../events/scheduling/schedule.js';
import type { Decider } from '../decider.js';

// Every claim a day stream has held, released ones included: a release
// names only its claim, and the waitlist needs the time it gave back. A
// read-only fold (it decides nothing), kept beside the deciders it mirrors.

export type DayClaims = Readonly<Record<string, Claim>>;

function evolve(state: DayClaims, event: ScheduleEvent): DayClaims {
  if (event.type !== 'SlotClaimed') return state;
  const { schemaVersion: _version, claimedAt: _claimedAt, ...claim } = event.data;
  return { ...state, [claim.claimId]: claim };
}

export const dayClaims: Pick<Decider<DayClaims, never, ScheduleEvent>, 'initialState' | 'evolve'> = {
  initialState: () => ({}),
  evolve,
};
