import { sql } from 'kysely';
import t from 'tap';
import { AUDIT_ANCHORS } from '../../src/events/audit/anchors.js';
import { verifyLog, verifyStream } from '../../src/workflows/audit/verify.js';
import { logFixture, type LogFixture } from './log-fixture.js';

// `audit verify` over a real PostgreSQL log: an intact one verifies; each way
// of rewriting it from inside the database (what the chain and the anchors
// exist to reveal) fails, naming the first event that does not verify.

/** The id of the anchor that covers the fixture's first seven events. */
async function anchorId(f: LogFixture): Promise<string> {
  return (await f.store.raw.readStream(AUDIT_ANCHORS))[0]!.id;
}

t.test('an intact log verifies: every stream, the one begun before hashing included, and the anchor', async (t) => {
  const f = await logFixture(t);
  const progress: number[] = [];
  const result = await verifyLog(f.store.raw, { batchSize: 3, total: 9, onProgress: (p) => progress.push(p.done) });
  t.equal(result.failure, undefined);
  t.equal(result.events, 9, 'seven events, the anchor, one after it');
  t.equal(result.streams, 5, 'four places and the anchors');
  t.equal(result.anchors, 1);
  t.equal(result.lastAnchor?.digest, f.anchor.digest);
  t.equal(result.lastAnchor?.upTo, f.anchor.upTo);
  t.equal(f.anchor.events, 7);
  t.equal(progress.at(-1), 9, 'progress ends at every event');
  t.ok(progress.length >= 3, 'and is reported per batch');
  for (const stream of [f.a, f.b, f.legacy, f.late, AUDIT_ANCHORS]) t.equal((await verifyStream(f.store.raw, stream, 2)).failure, undefined, stream);
});

t.test('data altered in the database: that event is named', async (t) => {
  const f = await logFixture(t);
  await sql`UPDATE events SET data = jsonb_set(data, '{changes,name}', '"Room 9"') WHERE stream_id = ${f.a} AND version = 1`.execute(f.db);
  const { failure } = await verifyLog(f.store.raw);
  t.match(failure, { stream: f.a, version: 1, eventId: f.ids[f.a]![1], type: 'PlaceUpdated', why: /data or metadata altered/ });
  t.match((await verifyStream(f.store.raw, f.a)).failure, { stream: f.a, version: 1, eventId: f.ids[f.a]![1] });
});

t.test('metadata altered (who acted): that event is named', async (t) => {
  const f = await logFixture(t);
  await sql`UPDATE events SET metadata = jsonb_set(metadata, '{actor,id}', '"u-2"') WHERE stream_id = ${f.b} AND version = 1`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: f.b, version: 1, eventId: f.ids[f.b]![1], why: /data or metadata altered/ });
});

t.test('an event written before hashing, altered: the first hashed event after it in its stream fails', async (t) => {
  const f = await logFixture(t);
  await sql`UPDATE events SET data = jsonb_set(data, '{name}', '"Cellar"') WHERE stream_id = ${f.legacy} AND version = 0`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: f.legacy, version: 1, eventId: f.ids[f.legacy]![1], why: /data or metadata altered/ });
});

t.test('a hash removed after hashed events: that event is named', async (t) => {
  const f = await logFixture(t);
  await sql`UPDATE events SET metadata = metadata - 'hash' WHERE stream_id = ${f.a} AND version = 2`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: f.a, version: 2, eventId: f.ids[f.a]![2], why: /hash missing/ });
});

t.test('two versions of a stream swapped: the first one met out of place is named', async (t) => {
  const f = await logFixture(t);
  await sql`UPDATE events SET version = -1 WHERE stream_id = ${f.a} AND version = 1`.execute(f.db);
  await sql`UPDATE events SET version = 1 WHERE stream_id = ${f.a} AND version = 2`.execute(f.db);
  await sql`UPDATE events SET version = 2 WHERE stream_id = ${f.a} AND version = -1`.execute(f.db);
  // In log order the old version 1 comes first, now numbered 2.
  t.match((await verifyLog(f.store.raw)).failure, { stream: f.a, version: 2, eventId: f.ids[f.a]![1], why: /out of order/ });
  t.match((await verifyStream(f.store.raw, f.a)).failure, { stream: f.a, version: 1, eventId: f.ids[f.a]![2], why: /data or metadata altered/ }, 'read by version, the hashes tell');
});

t.test('one event deleted: the event after the gap is named', async (t) => {
  const f = await logFixture(t);
  await sql`DELETE FROM events WHERE stream_id = ${f.a} AND version = 1`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: f.a, version: 2, eventId: f.ids[f.a]![2], why: /missing event/ });
  t.match((await verifyStream(f.store.raw, f.a)).failure, { version: 2, why: /missing event/ });
});

t.test('a whole stream deleted: no chain shows it, the anchor after it does', async (t) => {
  const f = await logFixture(t);
  await sql`DELETE FROM events WHERE stream_id = ${f.b}`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: AUDIT_ANCHORS, version: 0, eventId: await anchorId(f), type: 'LogAnchored', why: /anchor digest differs: an event before it was removed, added or reordered/ });
});

t.test('a stream rewound (its last event deleted) before the anchor: the anchor names it', async (t) => {
  const f = await logFixture(t);
  await sql`DELETE FROM events WHERE stream_id = ${f.a} AND version = 2`.execute(f.db);
  t.equal((await verifyStream(f.store.raw, f.a)).failure, undefined, 'the stream alone still chains');
  t.match((await verifyLog(f.store.raw)).failure, { stream: AUDIT_ANCHORS, version: 0, eventId: await anchorId(f), why: /anchor digest differs/ });
});

t.test('an event added before the anchor in a stream of its own: the anchor names it', async (t) => {
  const f = await logFixture(t);
  // A copy of a hashed stream's first event under another stream name would fail its own chain; a plain
  // event without a hash does not, so only the anchor can tell.
  await sql`INSERT INTO events (transaction_id, event_id, stream_id, version, type, data, metadata, global_position)
    SELECT transaction_id, gen_random_uuid(), 'place-forged', 0, type, data, metadata - 'hash', global_position + 100000
    FROM events WHERE stream_id = ${f.a} AND version = 0`.execute(f.db);
  t.match((await verifyLog(f.store.raw)).failure, { stream: AUDIT_ANCHORS, version: 0, why: /anchor digest differs/ });
});

t.test('what an anchor cannot show: events after the last anchor deleted whole', async (t) => {
  const f = await logFixture(t);
  await sql`DELETE FROM events WHERE stream_id = ${f.late}`.execute(f.db);
  const result = await verifyLog(f.store.raw);
  t.equal(result.failure, undefined, 'the log still verifies: only a head recorded outside shows it (docs/audit.md)');
  t.equal(result.events, 8);
});
