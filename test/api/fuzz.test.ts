import t from 'tap';
import { fuzz, report, summarize } from '../helpers/fuzz.js';
import { seedWorld } from '../helpers/fuzz-world.js';
import { startRuntime } from '../helpers/runtime.js';

// Hostile input over every operation of the OpenAPI document, for every kind
// of caller (test/helpers/fuzz.ts): no 5xx, every 4xx in the one error format,
// and no 4xx that appended an event. FUZZ_SEED replays a run; the larger
// campaign is `npm run fuzz` (bench/fuzz.ts).

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

t.test('hostile input gets a clear 4xx and changes nothing', async (t) => {
  const runtime = await startRuntime(t);
  const world = await seedWorld(runtime);
  const figures = await fuzz(runtime, world, { seed, callersPerVariant: 3 });
  for (const line of report(figures)) t.comment(line);
  const findings = summarize(figures);
  for (const line of findings) t.comment(line);
  t.ok(figures.requests > 2_000, `${figures.requests} requests over every operation`);
  // One line per operation × variant × status, so a failure reads as a list of findings.
  const of = (problem: string) => findings.filter((line) => line.startsWith(`${problem} ·`)).map((line) => line.replace(/ \(e\.g\..*$/, ''));
  t.same(of('5xx'), [], `no 5xx (seed ${seed})`);
  t.same(of('error body'), [], `every 4xx is { detail, errors? } (seed ${seed})`);
  t.same(of('appended on 4xx'), [], `no 4xx appended an event (seed ${seed})`);
});
