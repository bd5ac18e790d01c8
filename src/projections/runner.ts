import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { isOutage } from '../store/outages.js';
import { formatPosition, START, type EventStore, type Position, type StoredEvent, type Subscription } from '../store/port.js';
import { ensureCheckpoint, isAtOrPast, readCheckpoint } from './checkpoints.js';
import { applyBatch, countParked, type ParkedEvent } from './parking.js';
import type { Projection } from './projection.js';
import { tracedProjection } from '../observability/projection-tracing.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly state: 'starting' | 'running' | 'failing' | 'stopped';
  readonly position: string;
  readonly lastError: string | undefined;
  readonly failures: number;
  readonly eventsApplied: number;
  /** Events set aside because they cannot be applied (docs/projections.md); they stay until `projections retry` (a rebuild) applies them. */
  readonly parked: number;
}

class CheckpointMoved extends Error {}

/**
 * Follows the log for one projection: each batch is applied in one
 * transaction that also moves the checkpoint, so a crash at any point
 * replays nothing twice and skips nothing.
 */
export class ProjectionRunner {
  private state: ProjectionStatus['state'] = 'starting';
  private position: Position = START;
  private lastError: string | undefined;
  private failures = 0;
  private eventsApplied = 0;
  private parked = 0;
  private subscription: Subscription | undefined;
  private stopping = false;
  // Cuts the retry pause short: a failing projector must still stop within a shutdown grace period.
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | undefined;
  private waiters = new Set<{ target: Position; resolve: () => void }>();
  private readonly handles: ReadonlySet<string>;
  /** The projection as batches are applied: inside spans continuing the events' traces when tracing is on. */
  private readonly applied: Projection;
  // The checkpoint row as this runner last wrote or read it. Batches with nothing
  // to apply move only `position`; the row catches up with the next applied
  // batch or within `flushAfterMs`, so followers of other projections' events
  // do not pay a transaction per batch. Replaying those batches after a crash
  // costs a read and applies nothing.
  private persisted: Position = START;
  private flushTimer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly logger: Logger,
    private readonly batchSize = 500,
    private readonly flushAfterMs = 1_000,
  ) {
    this.handles = new Set(projection.canHandle);
    this.applied = tracedProjection(projection);
  }

  start(): void {
    this.loop ??= this.run();
  }

  status(): ProjectionStatus {
    const { state, lastError, failures, eventsApplied, parked } = this;
    return { name: this.projection.name, state, position: formatPosition(this.position), lastError, failures, eventsApplied, parked };
  }

  /** Resolves once this runner has applied everything up to `target`. */
  waitFor(target: Position): Promise<void> {
    if (isAtOrPast(this.position, target)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ target, resolve }));
  }

  /** Stops at a checkpoint: the batch in hand is committed first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.subscription?.close();
    await this.loop;
    clearTimeout(this.flushTimer);
    await this.write(this.position, []).catch((error: unknown) => this.logger.warn({ projection: this.projection.name, err: error }, 'could not save the checkpoint at stop'));
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    const name = this.projection.name;
    while (!this.stopping) {
      let failure: unknown;
      try {
        await ensureCheckpoint(this.db, name);
        // Another runner (or a rebuild) may have carried the checkpoint past what callers wait for.
        this.persisted = await readCheckpoint(this.db, name);
        // A rebuild, or another runner, may have parked or cleared events meanwhile.
        this.parked = await countParked(this.db, name);
        this.moveTo(this.persisted);
        this.subscription = this.store.subscribe({
          from: this.position,
          batchSize: this.batchSize,
          onEvents: (events) => this.applyBatch(events),
          onError: (error) => (failure = error),
        });
        this.state = 'running';
        if (this.stopping) await this.subscription.close();
        await this.subscription.done;
      } catch (error) {
        failure = error;
      }
      if (failure instanceof CheckpointMoved) {
        this.logger.info({ projection: name }, 'checkpoint moved by another runner or a rebuild; resuming from it');
      } else if (failure !== undefined && !this.stopping) {
        this.failures++;
        this.state = 'failing';
        this.lastError = failure instanceof Error ? failure.message : String(failure);
        this.logger.error({ projection: name, err: failure, failures: this.failures }, 'projection failed; retrying from its checkpoint');
        // An unreachable store is retried at least every 5 s, so read models resume soon after it is back.
        await sleep(Math.min(isOutage(failure) ? 5_000 : 30_000, 200 * 2 ** Math.min(this.failures, 8)), undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
      }
    }
  }

  private async applyBatch(events: readonly StoredEvent[]): Promise<void> {
    const last = events.at(-1);
    if (!last) return;
    const handled = events.filter((e) => this.handles.has(e.type));
    if (handled.length > 0) return this.write(last.position, handled);
    this.moveTo(last.position);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      // A failed flush is retried by the next batch, which fails the same way and restarts the runner.
      this.write(this.position, []).catch((error: unknown) => this.logger.warn({ projection: this.projection.name, err: error }, 'could not save the checkpoint'));
    }, this.flushAfterMs).unref();
  }

  /** Applies `handled` and moves the checkpoint row to `to` in one transaction; one write at a time. */
  private write(to: Position, handled: readonly StoredEvent[]): Promise<void> {
    const run = async (): Promise<void> => {
      const from = this.persisted;
      if (handled.length === 0 && isAtOrPast(from, to)) return;
      const outcome = await applyBatch(this.db, this.applied, from, to, handled);
      if (!outcome.moved) throw new CheckpointMoved();
      for (const parked of outcome.parked) this.reportParked(parked);
      this.persisted = to;
      this.eventsApplied += handled.length - outcome.parked.length;
      this.failures = 0;
      this.lastError = undefined;
      this.state = 'running';
      if (!isAtOrPast(this.position, to)) this.moveTo(to);
    };
    const result = this.writes.then(run);
    this.writes = result.catch(() => undefined);
    return result;
  }

  private reportParked(parked: ParkedEvent): void {
    this.parked++;
    const { eventId, position, stream, version, type, error } = parked;
    this.logger.error({ projection: this.projection.name, eventId, position, stream, version, type, error, parked: this.parked }, 'event parked: the projection cannot apply it and moved on without it');
  }

  private moveTo(position: Position): void {
    this.position = position;
    for (const waiter of this.waiters) {
      if (isAtOrPast(this.position, waiter.target)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
