import type { Test } from 'tap';
import { fuzz, report, summarize } from '../test/helpers/fuzz.js';
import { seedWorld } from '../test/helpers/fuzz-world.js';
import { startRuntime } from '../test/helpers/runtime.js';

// The larger fuzz campaign (`npm run fuzz`): the same fuzzer as
// test/api/fuzz.test.ts, every caller on every operation × variant, round
// after round until at least FUZZ_REQUESTS requests (default 10,000) went
// out. Needs the test PostgreSQL (TEST_DATABASE_URL); FUZZ_SEED replays a run.
// Exits 1 when anything was found.

const target = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/** What startRuntime needs of a tap Test: somewhere to put the clean-up. */
const teardowns: (() => unknown)[] = [];
const harness = { teardown: (f: () => unknown) => void teardowns.push(f) } as unknown as Test;

async function main(): Promise<number> {
  const started = Date.now();
  const runtime = await startRuntime(harness);
  try {
    const world = await seedWorld(runtime);
    const figures = await fuzz(runtime, world, { seed, callersPerVariant: world.callers.length, rounds: 1 });
    const perRound = Math.max(figures.requests, 1);
    for (let round = 1; figures.requests < target; round++) {
      const more = await fuzz(runtime, world, { seed: seed + round, callersPerVariant: world.callers.length });
      figures.requests += more.requests;
      for (const [status, n] of Object.entries(more.statuses)) figures.statuses[status] = (figures.statuses[status] ?? 0) + n;
      figures.findings.push(...more.findings);
      figures.movedUnder4xx += more.movedUnder4xx;
      console.error(`round ${round + 1}: ${figures.requests} requests (${perRound} per round)`);
    }
    console.log(report(figures).join('\n'));
    console.log(`time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const findings = summarize(figures);
    if (findings.length > 0) console.log(['findings (problem · status · operation · variant × count):', ...findings].join('\n  '));
    return figures.findings.length > 0 ? 1 : 0;
  } finally {
    for (const f of teardowns.reverse()) await f();
  }
}

process.exitCode = await main();
