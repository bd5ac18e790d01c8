import { eventHash, GENESIS } from '../../events/chain.js';

// The pure half of `audit verify`: what the stored log must look like for
// each event to be the one that was written (docs/audit.md). It reads events
// exactly as the adapter holds them (personal fields as ciphertext), since
// that is what was hashed.

/** A position in the log, as the store's port has it (commit, then prepare). */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** An event as stored: the fields the hash covers, where it sits, and the stored hash (if any). */
export interface LoggedEvent {
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly position: LogPosition;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: object & { readonly hash?: unknown };
}

/** The first event that does not verify, and why. */
export interface VerifyFailure {
  readonly stream: string;
  readonly version: number;
  readonly eventId: string;
  readonly position: string;
  readonly type: string;
  readonly why: string;
}

/** What the check remembers of a stream: its last version, that event's hash as computed, and whether it carried one. */
export interface StreamLink {
  readonly version: number;
  readonly hash: string;
  readonly hashed: boolean;
}

export const positionText = (p: LogPosition) => `${p.commit}/${p.prepare}`;

export function failureAt(event: LoggedEvent, why: string): VerifyFailure {
  return { stream: event.stream, version: event.version, eventId: event.id, position: positionText(event.position), type: event.type, why };
}

/**
 * The next link of a stream's chain, or why `event` cannot be it: versions
 * run from 0 without a gap or a step back; a stored hash is the one computed
 * from the event and the previous event's computed hash; and once a stream's
 * events carry hashes, every later one must (events written before hashing
 * have none, and are chained by their computed value only).
 */
export function nextLink(previous: StreamLink | undefined, event: LoggedEvent): StreamLink | string {
  const expected = (previous?.version ?? -1) + 1;
  if (event.version < expected) return `out of order: version ${event.version} comes after version ${expected - 1} of its stream`;
  if (event.version > expected) return `missing event or out of order: version ${expected} of its stream should come before it`;
  const hash = eventHash(previous?.hash ?? GENESIS, event);
  const stored = event.metadata.hash;
  if (stored === undefined) {
    if (previous?.hashed) return 'hash missing: the events before it in its stream carry one (removed from the event, or the event was replaced)';
    return { version: event.version, hash, hashed: false };
  }
  if (stored !== hash) return 'data or metadata altered: the stored hash differs from the one computed from the event and the one before it';
  return { version: event.version, hash, hashed: true };
}

export interface StreamVerification {
  readonly events: number;
  /** The last event's hash (as computed), GENESIS for an empty stream. */
  readonly head: string;
  readonly failure: VerifyFailure | undefined;
}

/** `audit verify <stream>`: one stream's chain, fed its events in version order. */
export function streamVerifier() {
  let link: StreamLink | undefined;
  let events = 0;
  let failure: VerifyFailure | undefined;
  return {
    /** False once an event failed: the rest need not be read. */
    add(event: LoggedEvent): boolean {
      if (failure) return false;
      const next = nextLink(link, event);
      if (typeof next === 'string') {
        failure = failureAt(event, next);
        return false;
      }
      link = next;
      events++;
      return true;
    },
    result: (): StreamVerification => ({ events, head: link?.hash ?? GENESIS, failure }),
  };
}
