import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';

// Stream `audit-anchors`: now and then the service records a digest over the
// hashes of every event appended since the previous anchor (docs/audit.md).
// Each event's hash already chains it to its stream; the anchors chain the
// streams together, so a whole stream dropped, or one cut short, changes the
// next anchor's digest. An auditor who keeps the latest digest outside the
// system can tell the log was rewritten before it.

export const AUDIT_ANCHORS = 'audit-anchors';

export const LogAnchoredData = Type.Object({
  /** The position (`commit/prepare`) of the last event covered. */
  upTo: Type.String(),
  /** How many events the digest covers: those after the previous anchor's `upTo`, up to this one's. */
  events: Type.Integer({ minimum: 1 }),
  /** anchorDigest(previousDigest, hashes of the covered events in log order), hex. */
  digest: Type.String(),
  /** The previous anchor's digest; GENESIS for the first. */
  previousDigest: Type.String(),
  anchoredAt: Type.String(),
});
export type LogAnchoredData = Static<typeof LogAnchoredData>;

export type LogAnchored = Event<'LogAnchored', LogAnchoredData>;
export type AuditEvent = LogAnchored;

/**
 * anchorDigest (src/events/chain.ts) fed one hash at a time, so neither the
 * anchoring nor the verification holds a range's hashes in memory: the same
 * bytes in the same order, hence the same digest.
 */
export function anchorDigester(previous: string) {
  const hash = createHash('sha256').update(previous);
  return {
    add(eventHash: string): void {
      hash.update(eventHash);
    },
    digest: (): string => hash.digest('hex'),
  };
}
