import { SingleBar } from 'cli-progress';

// Progress of the CLI's long commands (projections rebuild, audit verify, the
// migrations of `migrate`), on stderr so stdout keeps only results. On a
// terminal: a bar redrawn in place with total, percentage, rate and ETA. On a
// pipe or a file (CI logs, `2> file`): plain lines, one at every tenth of the
// total and at least every few seconds, and one at the end, so a log shows the
// work moving without a line per batch.

/** The stream progress is written to: stderr, or any writable (a test's) that may say it is a terminal. */
export interface ProgressStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** What moves: `rebuild client-accounts`, `audit verify`. */
  readonly label: string;
  /** What is counted: `events` unless said. */
  readonly unit?: string;
  /** How many there are, when known: without it, no percentage or ETA. */
  readonly total?: number | undefined;
  readonly stream?: ProgressStream;
  /** A plain line at least this often (ms) while work moves; 5 s unless said. */
  readonly everyMs?: number;
  readonly now?: () => number;
}

export interface Progress {
  /** `done` so far (and the total, when it became known or changed). */
  update(done: number, total?: number): void;
  /** The last update: the bar is completed, or the last plain line written. */
  finish(done?: number): void;
}

const PLAIN_STEPS = 10;

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A plain line: `audit verify: 1200 of 5000 events (24%), 300 events/s, about 13 s left`. */
export function progressLine(label: string, unit: string, done: number, total: number | undefined, elapsedMs: number, finished: boolean): string {
  const rate = done / Math.max(0.001, elapsedMs / 1000);
  const counted = total !== undefined && total > 0 ? `${done} of ${total} ${unit} (${Math.min(100, Math.floor((done * 100) / total))}%)` : `${done} ${unit}`;
  const left = !finished && total !== undefined && total > done && rate > 0 ? `, about ${seconds(((total - done) / rate) * 1000)} left` : '';
  return `${label}: ${counted}, ${Math.round(rate)} ${unit}/s${left}${finished ? `, done in ${seconds(elapsedMs)}` : ''}`;
}

export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'events';
  const now = options.now ?? Date.now;
  const started = now();
  let total = options.total;
  let done = 0;
  let finished = false;
  const rate = () => Math.round(done / Math.max(0.001, (now() - started) / 1000));

  if (stream.isTTY === true) {
    const counted = total !== undefined;
    const bar = new SingleBar({
      stream,
      format: counted
        ? `${options.label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`
        : `${options.label} {value} ${unit} | {rate} ${unit}/s | {duration_formatted}`,
      barsize: 24,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: false,
      etaBuffer: 50,
    });
    bar.start(total ?? 0, 0, { rate: 0 });
    return {
      update(value, newTotal) {
        if (finished) return;
        done = value;
        if (newTotal !== undefined && newTotal !== total) {
          total = newTotal;
          bar.setTotal(newTotal);
        }
        bar.update(value, { rate: rate() });
      },
      finish(value = done) {
        if (finished) return;
        finished = true;
        done = value;
        // A total that was an estimate (events appended meanwhile) still ends at 100%.
        if (total !== undefined && value > total) bar.setTotal(value);
        bar.update(value, { rate: rate() });
        bar.stop();
      },
    };
  }

  const everyMs = options.everyMs ?? 5_000;
  let lastAt = started;
  let lastStep = 0;
  const write = () => {
    lastAt = now();
    stream.write(`${progressLine(options.label, unit, done, total, now() - started, finished)}\n`);
  };
  return {
    update(value, newTotal) {
      if (finished) return;
      done = value;
      if (newTotal !== undefined) total = newTotal;
      const step = total !== undefined && total > 0 ? Math.floor((done * PLAIN_STEPS) / total) : 0;
      if (step > lastStep || now() - lastAt >= everyMs) {
        lastStep = Math.max(lastStep, step);
        if (step < PLAIN_STEPS) write(); // the whole is said by finish()
      }
    },
    finish(value = done) {
      if (finished) return;
      finished = true;
      done = value;
      write();
    },
  };
}
