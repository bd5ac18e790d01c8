import t from 'tap';
import { appendedBy, errorBodyProblem, fuzz, report, summarize } from '../helpers/fuzz.js';
import { seedWorld } from '../helpers/fuzz-world.js';
import { startRuntime } from '../helpers/runtime.js';
import { staffMember } from '../helpers/staff.js';

// Hostile input over every operation of the OpenAPI document, for every kind
// of caller (test/helpers/fuzz.ts): no 5xx, every 4xx in the one error format,
// and no 4xx that appended an event. The suite runs one fixed seed, so a
// red build is always the code's doing; FUZZ_SEED picks another, and
// `npm run fuzz` (bench/fuzz.ts) runs a larger campaign from a random one.

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261129;

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
  t.same(of('error body'), [], `every 4xx is in its part's error format: { detail, errors? }, or a seed profile's own (seed ${seed})`);
  t.same(of('appended on 4xx'), [], `no 4xx appended an event (seed ${seed})`);
});

t.test('the fuzzer sees what it checks: events by request id, error bodies off the format', async (t) => {
  const runtime = await startRuntime(t);
  const owner = await staffMember(runtime, 'owner@gamma.example');
  const headers = { authorization: `Bearer ${owner.token}`, 'x-request-id': 'fuzz-self-check' };
  const created = await runtime.app.inject({ method: 'POST', url: '/api/v1/organizations', headers, payload: { name: 'Gamma' } });
  t.equal(created.statusCode, 201);
  t.match(await appendedBy(runtime, 'fuzz-self-check'), [/^OrganizationCreated@/], 'an append is traced to the request that made it');
  t.same(await appendedBy(runtime, 'fuzz-no-such-request'), [], 'and to no other');

  const json = 'application/json; charset=utf-8';
  t.equal(errorBodyProblem(json, '{"detail":"Not found."}'), undefined);
  t.equal(errorBodyProblem(json, '{"detail":"Invalid input.","errors":{"name":["This field is required."]}}'), undefined);
  t.match(errorBodyProblem(json, '{"error":"Bad Request","message":"x","statusCode":400}'), /no detail/);
  t.match(errorBodyProblem(json, '{"detail":"x","code":"FST_ERR"}'), /extra keys code/);
  t.match(errorBodyProblem(json, '{"detail":"x","errors":{"a":"b"}}'), /errors\.a/);
  t.match(errorBodyProblem('text/html', '<html>'), /content-type/);
  // The seeds' profiles answer in their own formats, and only in those.
  t.equal(errorBodyProblem(json, '{"name":["This field is required."]}', '/compat/000/clients/client-c/'), undefined);
  t.match(errorBodyProblem(json, '{"name":"This field is required."}', '/compat/000/clients/client-c/'), /not a list/);
  t.equal(errorBodyProblem(json, '{"error":"Only JSON requests are accepted"}', '/compat/004/auth/api/login/'), undefined);
  t.match(errorBodyProblem(json, '{"detail":"x"}', '/compat/004/auth/api/login/'), /not \{ error \}/);
});
