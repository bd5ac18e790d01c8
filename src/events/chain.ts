import { createHash } from 'node:crypto';

// Tamper evidence: every event carries the SHA-256 of itself chained to the
// previous event of its stream, taken over what was written (personal
// fields as ciphertext), so destroying a key never breaks the chain.

/** The previous hash of a stream's first event. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level: what was hashed can be hashed again from any store's copy. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What a hash covers: where the event sits (stream and version), what it is, and everything written with it except the hash itself. */
export interface Chained {
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: object;
}

/** The event's hash, chained to `previous` (GENESIS for a stream's first event). */
export function eventHash(previous: string, event: Chained): string {
  const { hash: _ignored, ...metadata } = event.metadata as { hash?: unknown };
  return createHash('sha256')
    .update(`${previous}\n${event.stream}\n${event.version}\n${event.id}\n${event.type}\n`)
    .update(canonicalJson(event.data ?? null))
    .update('\n')
    .update(canonicalJson(metadata))
    .digest('hex');
}

/** The anchor digest: the previous anchor's digest chained over the hashes of the events after it, in log order. */
export function anchorDigest(previous: string, hashes: readonly string[]): string {
  const digest = createHash('sha256').update(previous);
  for (const hash of hashes) digest.update(hash);
  return digest.digest('hex');
}
