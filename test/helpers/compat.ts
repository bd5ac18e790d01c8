import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Test } from 'tap';

// The conformance check of a seed profile (src/api/compat/): every request
// and response example of the seed document, written here as a fixture
// (the project depends on nothing outside its repository), replayed against
// the profile; the answer must have the example's status and shape.

export interface Example {
  /** Where the seed document shows it, e.g. "POST client-c/, the correct request". */
  readonly name: string;
  readonly method: InjectOptions['method'];
  /** The full path, /compat/<seed>/... */
  readonly url: string;
  /** A JSON body; a string is sent as it is (with `headers` naming its type). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>` unless `headers` has its own authorization. */
  readonly token?: string;
  readonly status: number;
  /**
   * The example's response body as the seed shows it, ids and times replaced
   * by values of the same JSON type: the answer must hold every key with a
   * value of the same type, arrays item by item against the first example item.
   */
  readonly shape?: unknown;
  /** Values the answer must carry exactly (tap's `t.match`): the seed's messages and echoed fields. */
  readonly values?: unknown;
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, unknown>;
}

export async function send(app: FastifyInstance, example: Omit<Example, 'name' | 'status'>): Promise<Answer> {
  const { method, url, body, headers = {}, token } = example;
  const json = body !== undefined && typeof body !== 'string';
  const response = await app.inject({
    method,
    url,
    headers: {
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: json ? JSON.stringify(body) : (body as string) }),
  });
  let parsed: unknown;
  try {
    parsed = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    parsed = response.body;
  }
  return { status: response.statusCode, body: parsed, headers: response.headers };
}

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Where `actual` departs from the shape of `expected`, as paths; empty when it conforms. */
export function shapeDifferences(actual: unknown, expected: unknown, path = '$'): string[] {
  if (kindOf(actual) !== kindOf(expected)) return [`${path}: expected ${kindOf(expected)}, got ${kindOf(actual)}`];
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (expected.length > 0 && items.length === 0) return [`${path}: expected items, got an empty array`];
    return expected.length === 0 ? [] : items.flatMap((item, i) => shapeDifferences(item, expected[0], `${path}[${i}]`));
  }
  if (kindOf(expected) === 'object') {
    const got = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).flatMap(([key, value]) =>
      key in got ? shapeDifferences(got[key], value, `${path}.${key}`) : [`${path}.${key}: missing`],
    );
  }
  return [];
}

/** Replays one example and checks the answer's status, shape and exact values; returns the answer for later steps. */
export async function conform(t: Test, app: FastifyInstance, example: Example): Promise<Answer> {
  const answer = await send(app, example);
  t.equal(answer.status, example.status, `${example.name}: status ${example.status} (${JSON.stringify(answer.body)?.slice(0, 300)})`);
  if (example.shape !== undefined) t.same(shapeDifferences(answer.body, example.shape), [], `${example.name}: the shape of the seed's example`);
  if (example.values !== undefined) t.match(answer.body, example.values, `${example.name}: the seed's values`);
  return answer;
}
