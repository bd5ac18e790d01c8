import { anchorCuts, logVerifier, type LogVerification } from '../../commands/audit/log.js';
import { streamVerifier, type StreamVerification } from '../../commands/audit/chain.js';
import { AUDIT_ANCHORS } from '../../events/audit/anchors.js';
import { comparePositions, START, type EventStore } from '../../store/port.js';

// The I/O half of `audit verify`: reads the log as stored (the adapter's own
// reads, never the cataloged store's, which decrypts and upcasts) in batches
// and feeds the pure fold (src/commands/audit/).

export interface VerifyProgress {
  /** Events checked so far. */
  readonly done: number;
  /** How many the log holds, when the caller could count them. */
  readonly total: number | undefined;
  readonly finished: boolean;
}

export interface VerifyOptions {
  readonly batchSize?: number;
  /** How many events the log holds (for progress); the events table's count on PostgreSQL. */
  readonly total?: number;
  readonly onProgress?: (progress: VerifyProgress) => void;
}

/** The whole log up to the head readers see when it starts: every stream's chain and every anchor. */
export async function verifyLog(raw: EventStore, options: VerifyOptions = {}): Promise<LogVerification> {
  const batchSize = options.batchSize ?? 1000;
  const head = await raw.headPosition();
  // The anchors first: each one cuts the log where its range ends, before the fold meets the anchor itself.
  const anchors = (await raw.readStream(AUDIT_ANCHORS)).filter((e) => comparePositions(e.position, head) <= 0);
  const verifier = logVerifier(anchorCuts(anchors));
  let done = 0;
  for (let position = START; comparePositions(position, head) < 0; ) {
    const batch = (await raw.readAll({ from: position, limit: batchSize })).filter((e) => comparePositions(e.position, head) <= 0);
    if (batch.length === 0) break;
    let going = true;
    for (const event of batch) {
      going = verifier.add(event);
      if (!going) break;
      done++;
    }
    if (!going) break;
    options.onProgress?.({ done, total: options.total, finished: false });
    position = batch.at(-1)!.position;
  }
  options.onProgress?.({ done, total: options.total, finished: true });
  return verifier.result();
}

/** One stream's chain (`audit verify <stream>`). */
export async function verifyStream(raw: EventStore, stream: string, batchSize = 1000): Promise<StreamVerification> {
  const verifier = streamVerifier();
  for (let from = 0; ; ) {
    const batch = await raw.readStream(stream, { from, limit: batchSize });
    for (const event of batch) if (!verifier.add(event)) return verifier.result();
    if (batch.length < batchSize) return verifier.result();
    from = batch.at(-1)!.version + 1;
  }
}
