import { Writable } from 'node:stream';
import t from 'tap';
import { startProgress } from '../../src/cli/progress.js';

// src/cli/progress.ts, which projections rebuild, audit verify and migrate
// report through: a bar on a terminal, plain lines anywhere else.

/** A real stream that keeps what is written to it; `isTTY` says whether it claims to be a terminal. */
class Captured extends Writable {
  text = '';
  constructor(readonly isTTY: boolean, readonly columns = 120) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

t.test('off a terminal: a plain line at every tenth of the total, with counts, rate and time left, and one at the end', async (t) => {
  const stream = new Captured(false);
  let clock = 0;
  const progress = startProgress({ label: 'rebuild places', total: 1000, stream, now: () => clock });
  for (let done = 50; done <= 1000; done += 50) {
    clock += 100; // 50 events every 100 ms: 500 events/s
    progress.update(done);
  }
  progress.finish(1000);
  const lines = stream.text.trimEnd().split('\n');
  t.equal(lines.length, 10, 'nine tenths passed on the way (10% to 90%), then the end; no line per update');
  t.equal(lines[0], 'rebuild places: 100 of 1000 events (10%), 500 events/s, about 2 s left');
  t.equal(lines[4], 'rebuild places: 500 of 1000 events (50%), 500 events/s, about 1 s left');
  t.equal(lines.at(-1), 'rebuild places: 1000 of 1000 events (100%), 500 events/s, done in 2 s');
  t.notMatch(stream.text, /\x1b|\r/, 'no terminal control characters in a log');
});

t.test('off a terminal without a total: a line every few seconds, with the count and rate', async (t) => {
  const stream = new Captured(false);
  let clock = 0;
  const progress = startProgress({ label: 'trust model: write', unit: 'accounts', stream, everyMs: 5_000, now: () => clock });
  for (let done = 1; done <= 30; done++) {
    clock += 1_000;
    progress.update(done);
  }
  progress.finish();
  t.same(stream.text.trimEnd().split('\n'), [
    'trust model: write: 5 accounts, 1 accounts/s',
    'trust model: write: 10 accounts, 1 accounts/s',
    'trust model: write: 15 accounts, 1 accounts/s',
    'trust model: write: 20 accounts, 1 accounts/s',
    'trust model: write: 25 accounts, 1 accounts/s',
    'trust model: write: 30 accounts, 1 accounts/s',
    'trust model: write: 30 accounts, 1 accounts/s, done in 30 s',
  ]);
});

t.test('on a terminal: a bar redrawn in place, with total, percentage, rate and ETA', async (t) => {
  const stream = new Captured(true);
  const progress = startProgress({ label: 'audit verify', total: 200, stream });
  for (let done = 20; done <= 200; done += 20) progress.update(done);
  progress.finish(200);
  const drawn = stream.text;
  t.match(drawn, /\x1b\[\d*G|\r/, 'the line is redrawn in place (cursor moves), not appended');
  t.match(drawn, /audit verify \[[█░]+\] 100% \| 200\/200 events \| \d+ events\/s \| ETA \S+/, 'the last drawing: bar, percentage, count of total, rate and ETA');
  t.equal(drawn.split('\n').length - 1, 1, 'one line break, when it is done');
});

t.test('on a terminal without a total: the count, rate and time spent', async (t) => {
  const stream = new Captured(true);
  const progress = startProgress({ label: 'rebuild places', stream });
  progress.update(7);
  progress.finish(9);
  t.match(stream.text, /rebuild places 9 events \| \d+ events\/s \| \d+s/);
});
