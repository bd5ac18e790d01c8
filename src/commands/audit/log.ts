import { anchorDigester, AUDIT_ANCHORS, type LogAnchoredData } from '../../events/audit/anchors.js';
import { GENESIS } from '../../events/chain.js';
import { failureAt, nextLink, positionText, type LogPosition, type LoggedEvent, type StreamLink, type VerifyFailure } from './chain.js';

// `audit verify`: the whole log, in log order, as one fold. Besides each
// stream's chain (chain.ts), every anchor met must carry the digest of the
// hashes of the events in its range, which is what a stream dropped whole,
// or cut short before the anchor, changes. Memory grows with the number of
// streams, not events: a stream's last link, and one running digest.

export function parsePositionText(text: unknown): LogPosition | undefined {
  const match = typeof text === 'string' ? /^(\d{1,20})\/(\d{1,20})$/.exec(text) : null;
  return match ? { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) } : undefined;
}

const after = (a: LogPosition, b: LogPosition) => a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);

/**
 * Where the anchors cut the log, from the anchors stream read before the log:
 * a range's digest has to be cut at its `upTo`, and the anchor that names it
 * comes later in the log. An unreadable or backward `upTo` cuts nothing (its
 * anchor then has no range, and fails when met).
 */
export function anchorCuts(anchors: readonly LoggedEvent[]): LogPosition[] {
  const cuts: LogPosition[] = [];
  for (const anchor of anchors) {
    const upTo = anchor.type === 'LogAnchored' ? parsePositionText((anchor.data as Partial<LogAnchoredData>).upTo) : undefined;
    if (upTo && (cuts.length === 0 || after(upTo, cuts.at(-1)!))) cuts.push(upTo);
  }
  return cuts;
}

/** A range of the log as the check computed it: what its anchor must say. */
interface Range {
  readonly upTo: LogPosition;
  readonly previous: string;
  readonly digest: string;
  readonly events: number;
}

export interface LogVerification {
  readonly events: number;
  readonly streams: number;
  readonly anchors: number;
  /** The last anchor verified: the digest an auditor keeps outside. */
  readonly lastAnchor: { readonly upTo: string; readonly digest: string; readonly anchoredAt: string } | undefined;
  /** The position of the last event checked (undefined: an empty log). */
  readonly head: string | undefined;
  readonly failure: VerifyFailure | undefined;
}

/** Why an anchor does not match the range the check computed for it, or undefined when it does. */
function anchorMismatch(data: Partial<LogAnchoredData>, range: Range | undefined): string | undefined {
  if (!range || data.upTo !== positionText(range.upTo)) return 'anchor out of place: its range does not end before it as the anchors stream says';
  if (data.previousDigest !== range.previous) return 'anchor chain broken: its previous digest is not the digest of the anchor before it (an anchor was removed or replaced)';
  if (data.digest !== range.digest) {
    return `anchor digest differs: an event before it was removed, added or reordered (${range.events} events found in its range, ${String(data.events)} anchored)`;
  }
  if (data.events !== range.events) return `anchor event count differs (${range.events} events found in its range, ${String(data.events)} anchored)`;
  return undefined;
}

/** The fold: feed every stored event in log order (stop when `add` says false), then read `result`. */
export function logVerifier(cuts: readonly LogPosition[]) {
  const links = new Map<string, StreamLink>();
  const closed: Range[] = [];
  let nextCut = 0;
  let previous = GENESIS;
  let digester = anchorDigester(GENESIS);
  let inRange = 0;
  let events = 0;
  let anchors = 0;
  let lastAnchor: LogVerification['lastAnchor'];
  let head: string | undefined;
  let failure: VerifyFailure | undefined;

  function close(upTo: LogPosition): void {
    const digest = digester.digest();
    closed.push({ upTo, previous, digest, events: inRange });
    previous = digest;
    digester = anchorDigester(digest);
    inRange = 0;
  }

  return {
    /** False once an event failed: the rest need not be read. */
    add(event: LoggedEvent): boolean {
      if (failure) return false;
      while (nextCut < cuts.length && after(event.position, cuts[nextCut]!)) close(cuts[nextCut++]!);
      const link = nextLink(links.get(event.stream), event);
      if (typeof link === 'string') {
        failure = failureAt(event, link);
        return false;
      }
      if (event.stream === AUDIT_ANCHORS && event.type === 'LogAnchored') {
        const data = event.data as Partial<LogAnchoredData>;
        const why = anchorMismatch(data, closed.shift());
        if (why) {
          failure = failureAt(event, why);
          return false;
        }
        anchors++;
        lastAnchor = { upTo: String(data.upTo), digest: String(data.digest), anchoredAt: String(data.anchoredAt) };
      }
      links.set(event.stream, link);
      digester.add(link.hash);
      inRange++;
      events++;
      head = positionText(event.position);
      return true;
    },
    result: (): LogVerification => ({ events, streams: links.size, anchors, lastAnchor, head, failure }),
  };
}
