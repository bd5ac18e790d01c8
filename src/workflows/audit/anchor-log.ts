import { randomUUID } from 'node:crypto';
import { anchorDigester, AUDIT_ANCHORS, type LogAnchoredData } from '../../events/audit/anchors.js';
import { eventHash, GENESIS } from '../../events/chain.js';
import { chainOf } from '../../store/chain-heads.js';
import type { CatalogedEventStore } from '../../store/cataloged.js';
import { comparePositions, formatPosition, parsePosition, START, WrongExpectedVersion, type EventStore, type StoredEvent } from '../../store/port.js';

// Anchoring (docs/audit.md): a digest over the hashes of every event since
// the previous anchor, in log order, appended to `audit-anchors`. Read from
// the log exactly as stored, as `audit verify` reads it.

const BATCH = 1000;

/** The last anchor: where the next one starts and what it chains to. */
export async function lastAnchor(raw: EventStore): Promise<{ version: number; data: LogAnchoredData } | undefined> {
  const [last] = await raw.readStream(AUDIT_ANCHORS, { direction: 'backwards', limit: 1 });
  return last ? { version: last.version, data: last.data as LogAnchoredData } : undefined;
}

/**
 * Each event's hash: the stored one, or for an event written before events
 * carried hashes, the one computed from its stream's start (remembered per
 * stream, so a run of such events reads each stream once).
 */
function hashesOf(raw: EventStore) {
  const computed = new Map<string, { version: number; hash: string }>();
  return async (event: StoredEvent): Promise<string> => {
    const known = computed.get(event.stream);
    let hash = event.metadata.hash;
    if (!hash) {
      hash = known?.version === event.version - 1 ? eventHash(known.hash, event) : chainOf(await raw.readStream(event.stream, { limit: event.version + 1 })).at(-1) ?? GENESIS;
    }
    if (!event.metadata.hash || known) computed.set(event.stream, { version: event.version, hash });
    return hash;
  };
}

/**
 * Anchors what was appended since the last anchor, up to the head readers
 * see now. Returns the anchor, or undefined when there was nothing to anchor
 * (nothing but anchors since the last one) or another process anchored first
 * (the append expects the anchors stream's version: one of two wins).
 */
export async function anchorLog(store: CatalogedEventStore, now: Date): Promise<LogAnchoredData | undefined> {
  const { raw } = store;
  const last = await lastAnchor(raw);
  const from = last ? parsePosition(last.data.upTo) : START;
  if (!from) throw new Error(`the last anchor (version ${last!.version}) names no readable position: run audit verify`);
  const previousDigest = last?.data.digest ?? GENESIS;
  const head = await raw.headPosition();
  const digester = anchorDigester(previousDigest);
  const hashOf = hashesOf(raw);
  let events = 0;
  let upTo = from;
  let onlyAnchors = true;
  for (let position = from; comparePositions(position, head) < 0; ) {
    const batch = (await raw.readAll({ from: position, limit: BATCH })).filter((e) => comparePositions(e.position, head) <= 0);
    if (batch.length === 0) break;
    for (const event of batch) {
      digester.add(await hashOf(event));
      if (event.stream !== AUDIT_ANCHORS) onlyAnchors = false;
      events++;
    }
    position = upTo = batch.at(-1)!.position;
  }
  // The anchors' own events are covered by the next anchor, once there is something else to anchor.
  if (events === 0 || onlyAnchors) return undefined;
  const data: LogAnchoredData = { upTo: formatPosition(upTo), events, digest: digester.digest(), previousDigest, anchoredAt: now.toISOString() };
  const correlationId = randomUUID();
  try {
    await store.append(AUDIT_ANCHORS, [{ type: 'LogAnchored', data, metadata: { actor: { kind: 'system', id: 'audit' }, correlationId, causationId: correlationId } }], {
      expectedVersion: last ? last.version : 'no_stream',
    });
  } catch (error) {
    if (error instanceof WrongExpectedVersion) return undefined;
    throw error;
  }
  return data;
}
