import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { TestRuntime } from './runtime.js';
import { idsFor, pick, prng, validObject, validValue, type Rng, type Schema } from './fuzz-values.js';
import { mutate, Raw, VARIANTS, type Draft, type Operation, type Param, type Variant } from './fuzz-variants.js';
import type { FuzzCaller, FuzzWorld } from './fuzz-world.js';

// A fuzzer driven by the OpenAPI document (app.swagger()): every operation,
// every hostile variant (fuzz-variants.ts), several kinds of caller. What
// must hold for every reply: no 5xx; a 4xx carries the one error body
// `{ detail, errors? }`; and a 4xx appended nothing to the event store.
//
// "Appended nothing" is checked on the events the request itself wrote (each
// carries its request id in its metadata, src/api/metadata.ts), since the
// worker may append for an earlier request at any moment; the global
// position moving under a 4xx for any other reason is counted apart.

export { VARIANTS, type Variant } from './fuzz-variants.js';

export interface Finding {
  readonly operation: string;
  readonly variant: Variant;
  readonly caller: string;
  readonly status: number;
  readonly problem: '5xx' | 'error body' | 'appended on 4xx';
  /** The reply's body (cut), or the events appended. */
  readonly detail: string;
  readonly requestId: string;
}

export interface Figures {
  readonly seed: number;
  requests: number;
  readonly statuses: Record<string, number>;
  readonly findings: Finding[];
  /** 4xx replies under which someone else (the worker, for an earlier request) appended. */
  movedUnder4xx: number;
}

export interface CampaignOptions {
  readonly seed: number;
  /** Callers per operation and variant (all of them when at least their number). */
  readonly callersPerVariant: number;
  /** Rounds over every operation × variant (each round draws new values). */
  readonly rounds?: number;
  /** Told of each operation as it starts. */
  readonly progress?: (operation: string) => void;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the OpenAPI document; deletions last, so the world they tear down serves everything else first. */
export function operationsOf(app: FastifyInstance): Operation[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: { content?: Record<string, { schema: Schema }> } }>> };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      ops.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

/** A valid request for the operation, with ids from the world. */
function validDraft(rng: Rng, world: FuzzWorld, op: Operation): Draft {
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const segments = op.path.split('/');
  for (const p of op.params) {
    if (p.in === 'path') {
      const before = segments[segments.indexOf(`{${p.name}}`) - 1] ?? '';
      const ids = idsFor(world, p.name === 'id' ? before : p.name);
      path[p.name] = encodeURIComponent(ids.length > 0 ? pick(rng, ids) : String(validValue(rng, world, p.name, p.schema)));
    } else if (p.in === 'query' && (p.required || rng() < 0.5)) {
      query[p.name] = encodeURIComponent(String(validValue(rng, world, p.name, p.schema)));
    }
  }
  return { path, query, body: op.body ? validObject(rng, world, op.body) : undefined };
}

/** JSON text of a body, with Raw values spliced in as they are. */
function serialize(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (!(value instanceof Raw)) return value;
    raws.push(value.text);
    return `\u0001${raws.length - 1}\u0001`;
  });
  return raws.reduce((out, raw, i) => out.replace(JSON.stringify(`\u0001${i}\u0001`), raw), text);
}

function urlOf(op: Operation, draft: Draft): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => draft.path[name] ?? '');
  const query = Object.entries(draft.query).map(([k, v]) => `${k}=${v}`).join('&');
  return query ? `${path}?${query}` : path;
}

/** What is wrong with a reply's body, for a 4xx: it must be `{ detail, errors? }` and nothing else. */
export function errorBodyProblem(contentType: string | undefined, text: string): string | undefined {
  if (!contentType?.startsWith('application/json')) return `content-type ${contentType ?? 'none'}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not an object';
  const { detail, errors, ...rest } = body as Record<string, unknown>;
  if (typeof detail !== 'string' || detail.length === 0) return 'no detail';
  if (Object.keys(rest).length > 0) return `extra keys ${Object.keys(rest).join(',')}`;
  if (errors === undefined) return undefined;
  if (errors === null || typeof errors !== 'object' || Array.isArray(errors)) return 'errors is not an object';
  const bad = Object.entries(errors).find(([, list]) => !Array.isArray(list) || list.some((m) => typeof m !== 'string'));
  return bad ? `errors.${bad[0]} is not a list of strings` : undefined;
}

function compatBodyProblem(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length > 0 ? undefined : 'not a JSON object';
  } catch {
    return 'not JSON';
  }
}

async function lastPosition(runtime: TestRuntime): Promise<string> {
  const { rows } = await sql<{ last: string | null }>`select max(global_position)::text as last from events`.execute(runtime.connection.db);
  return rows[0]?.last ?? '0';
}

/** Events the request with this id appended (its id is in their metadata). */
export async function appendedBy(runtime: TestRuntime, requestId: string): Promise<string[]> {
  const { rows } = await sql<{ type: string; stream_id: string }>`select type, stream_id from events where metadata->>'requestId' = ${requestId} order by global_position`.execute(runtime.connection.db);
  return rows.map((r) => `${r.type}@${r.stream_id}`);
}

function shuffled<T>(rng: Rng, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Runs the campaign; never throws on a finding, it records it. */
export async function fuzz(runtime: TestRuntime, world: FuzzWorld, options: CampaignOptions): Promise<Figures> {
  const rng = prng(options.seed);
  const figures: Figures = { seed: options.seed, requests: 0, statuses: {}, findings: [], movedUnder4xx: 0 };
  const ops = operationsOf(runtime.app);
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    for (const op of ops) {
      const name = `${op.method} ${op.path}`;
      options.progress?.(name);
      // Fresh sessions per operation: a fuzzed logout or password change ends the previous ones.
      const authorizations = new Map<FuzzCaller, string | undefined>();
      for (const caller of world.callers) authorizations.set(caller, await caller.authorization());
      for (const variant of VARIANTS) {
        const callers = shuffled(rng, world.callers).slice(0, options.callersPerVariant);
        for (const caller of callers) {
          const draft = validDraft(rng, world, op);
          if (!mutate(variant, rng, world, op, draft)) continue;
          await one(runtime, figures, { name, op, variant, caller: caller.name, authorization: authorizations.get(caller), draft });
        }
      }
    }
  }
  return figures;
}

async function one(
  runtime: TestRuntime,
  figures: Figures,
  request: { name: string; op: Operation; variant: Variant; caller: string; authorization: string | undefined; draft: Draft },
): Promise<void> {
  const { name, op, variant, caller, authorization, draft } = request;
  const requestId = `fuzz-${figures.seed}-${figures.requests}`;
  const payload = draft.raw ?? (draft.body === undefined ? undefined : serialize(draft.body));
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (authorization) headers.authorization = authorization;
  if (payload !== undefined) headers['content-type'] = draft.contentType ?? 'application/json';
  const before = await lastPosition(runtime);
  const logsBefore = runtime.logs.length;
  const reply = await runtime.app.inject({ method: op.method as 'GET', url: urlOf(op, draft), headers, ...(payload === undefined ? {} : { payload }) });
  figures.requests++;
  const status = reply.statusCode;
  figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
  const finding = (problem: Finding['problem'], detail: string) => figures.findings.push({ operation: name, variant, caller, status, problem, detail: detail.slice(0, 300), requestId });
  if (status >= 500) finding('5xx', causeOf(runtime.logs.slice(logsBefore), requestId) ?? reply.body);
  if (status < 400 || status >= 500) return;
  // A seed's profile (/compat/) words its errors its own way, checked by its conformance test: here only a JSON object.
  const bodyProblem = op.path.startsWith('/compat/') ? compatBodyProblem(reply.body) : errorBodyProblem(reply.headers['content-type'] as string | undefined, reply.body);
  if (bodyProblem) finding('error body', `${bodyProblem}: ${reply.body}`);
  const appended = await appendedBy(runtime, requestId);
  if (appended.length > 0) finding('appended on 4xx', appended.join(' '));
  else if ((await lastPosition(runtime)) !== before) figures.movedUnder4xx++;
}

/** The error the service logged for a 5xx (its message, not the generic reply). */
function causeOf(lines: readonly string[], requestId: string): string | undefined {
  for (const line of lines) {
    if (!line.includes(requestId)) continue;
    const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
    if (entry.err) return `${entry.err.type ?? 'Error'}: ${entry.err.message ?? ''}`;
  }
  return undefined;
}

/** Findings grouped by operation, variant, status and problem, most frequent first. */
export function summarize(figures: Figures): string[] {
  const groups = new Map<string, { count: number; sample: Finding }>();
  for (const f of figures.findings) {
    const key = `${f.problem} · ${f.status} · ${f.operation} · ${f.variant}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { count: 1, sample: f });
  }
  return [...groups.entries()].sort((a, b) => b[1].count - a[1].count).map(([key, { count, sample }]) => `${key} × ${count} (e.g. ${sample.caller}, ${sample.requestId}: ${sample.detail.slice(0, 160)})`);
}

/** The figures as the issue asks for them. */
export function report(figures: Figures): string[] {
  const count = (problem: Finding['problem']) => figures.findings.filter((f) => f.problem === problem).length;
  const histogram = Object.entries(figures.statuses).sort(([a], [b]) => Number(a) - Number(b)).map(([s, n]) => `${s}: ${n}`).join(', ');
  return [
    `seed ${figures.seed} (FUZZ_SEED=${figures.seed} replays this campaign)`,
    `requests ${figures.requests}`,
    `statuses ${histogram}`,
    `5xx ${count('5xx')}, error bodies off the format ${count('error body')}, 4xx that appended events ${count('appended on 4xx')}`,
    `4xx under which the worker appended for earlier requests (not theirs): ${figures.movedUnder4xx}`,
  ];
}
