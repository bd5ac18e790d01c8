import t from 'tap';
import { conflictsWithAny, indexHeld, type ConflictKind, type HeldTime } from '../../src/commands/scheduling/conflicts.js';

// The slot search asks indexHeld instead of scanning every held time per
// candidate. It must answer exactly what the scan answers, kinds and their
// order included; the scan is written out again below from the rule itself.

const MINUTE = 60_000;
const BASE = Date.UTC(2026, 2, 28);

function naiveConflicts(candidate: HeldTime, held: readonly HeldTime[]): ConflictKind[] {
  const overlap = (aStart: number, aEnd: number, bStart: number, bEnd: number) => aStart < bEnd && bStart < aEnd;
  const kinds: ConflictKind[] = [];
  const add = (kind: ConflictKind) => kinds.includes(kind) || kinds.push(kind);
  for (const other of held) {
    if (other.appointmentId === candidate.appointmentId) continue;
    const candidateBlocked = [candidate.start - candidate.bufferBeforeMinutes * MINUTE, candidate.end + candidate.bufferAfterMinutes * MINUTE] as const;
    const otherBlocked = [other.start - other.bufferBeforeMinutes * MINUTE, other.end + other.bufferAfterMinutes * MINUTE] as const;
    if (candidate.specialistId === other.specialistId && overlap(...candidateBlocked, ...otherBlocked)) add('specialist');
    const meet = overlap(candidate.start, candidate.end, other.start, other.end);
    if (meet && candidate.placeId !== null && candidate.placeId === other.placeId) add('place');
    if (meet && candidate.clientId !== undefined && candidate.clientId === other.clientId) add('client');
  }
  return kinds;
}

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomHeld(next: () => number, appointments: number): HeldTime {
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const start = BASE + Math.floor(next() * 3 * 24 * 60) * MINUTE;
  // Mostly ordinary appointments; some empty, reversed, days long, or with an unreadable time.
  const length = pick([15, 30, 45, 60, 90, 120, 0, -30, 2 * 24 * 60, Number.NaN]) * MINUTE;
  return {
    appointmentId: `a${Math.floor(next() * appointments)}`,
    specialistId: pick(['s1', 's2', 's3']),
    placeId: pick([null, 'p1', 'p2', 'p3']),
    clientId: pick([undefined, 'c1', 'c2', 'c3']),
    start,
    end: start + length,
    bufferBeforeMinutes: pick([0, 0, 5, 10, 30, -5]),
    bufferAfterMinutes: pick([0, 0, 5, 15, 60]),
  };
}

t.test('the index answers as the scan does, on random held times and candidates', async (t) => {
  const next = random(7);
  let compared = 0;
  let conflicting = 0;
  const wrong: string[] = [];
  for (let round = 0; round < 400; round++) {
    const held = Array.from({ length: Math.floor(next() * 80) }, () => randomHeld(next, 100));
    const index = indexHeld(held);
    for (let c = 0; c < 50; c++) {
      const candidate = randomHeld(next, 100);
      const want = naiveConflicts(candidate, held);
      const scanned = [...conflictsWithAny(candidate, held)];
      const indexed = [...index.conflictsWith(candidate)];
      compared++;
      if (want.length > 0) conflicting++;
      if (JSON.stringify(scanned) !== JSON.stringify(want) || JSON.stringify(indexed) !== JSON.stringify(want)) {
        wrong.push(`round ${round}, candidate ${JSON.stringify(candidate)}: want ${want}, scan ${scanned}, index ${indexed}`);
      }
    }
  }
  t.same(wrong.slice(0, 3), [], `${compared} candidates, ${wrong.length} answered differently`);
  t.ok(conflicting > compared / 10 && conflicting < compared, `both conflicts (${conflicting}) and free candidates`);
});

const held = (overrides: Partial<HeldTime>): HeldTime => ({
  appointmentId: 'held',
  specialistId: 's1',
  placeId: 'p1',
  clientId: 'c1',
  start: BASE + 60 * MINUTE,
  end: BASE + 120 * MINUTE,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  ...overrides,
});

t.test('cases worth naming', async (t) => {
  const candidate = (start: number, end: number, overrides: Partial<HeldTime> = {}): HeldTime =>
    held({ appointmentId: '', clientId: undefined, start: BASE + start * MINUTE, end: BASE + end * MINUTE, ...overrides });
  const index = indexHeld([held({})]);
  t.same([...index.conflictsWith(candidate(120, 150))], [], 'touching is not overlapping');
  t.same([...index.conflictsWith(candidate(30, 61))], ['specialist', 'place'], 'one minute of overlap');
  t.same([...index.conflictsWith(candidate(30, 61, { specialistId: 's2', placeId: null, clientId: 'c1' }))], ['client']);
  t.same([...index.conflictsWith(candidate(30, 61, { appointmentId: 'held' }))], [], 'an appointment does not conflict with itself');

  const buffered = indexHeld([held({ bufferAfterMinutes: 15 })]);
  t.same([...buffered.conflictsWith(candidate(130, 160))], ['specialist'], "the specialist's buffer, not the room's");
  t.same([...buffered.conflictsWith(candidate(130, 160, { specialistId: 's2' }))], []);

  // A long appointment that began long before many short ones still counts.
  const many = [held({ appointmentId: 'long', start: BASE, end: BASE + 24 * 60 * MINUTE, placeId: 'p9' }), ...Array.from({ length: 50 }, (_, i) => held({ appointmentId: `short${i}`, start: BASE + (60 + i * 20) * MINUTE, end: BASE + (70 + i * 20) * MINUTE }))];
  t.same([...indexHeld(many).conflictsWith(candidate(1200, 1210, { placeId: 'p2' }))], ['specialist']);
  t.same([...indexHeld(many).conflictsWith(candidate(1200, 1210, { placeId: 'p2' }))], [...conflictsWithAny(candidate(1200, 1210, { placeId: 'p2' }), many)]);
});

t.test('held times given as any iterable are read once', async (t) => {
  function* once() {
    yield held({});
  }
  const index = indexHeld(once());
  t.same([...index.conflictsWith(held({ appointmentId: '', clientId: undefined }))], ['specialist', 'place']);
  t.same([...index.conflictsWith(held({ appointmentId: '', clientId: undefined }))], ['specialist', 'place'], 'and asked again');
});
