// One load scenario through autocannon, with sub-millisecond latency
// percentiles (autocannon's own histogram keeps whole milliseconds).
import autocannon, { type Client, type Options, type RequestSpec } from 'autocannon';

export interface LoadSummary {
  readonly title: string;
  readonly connections: number;
  readonly durationS: number;
  /** 2xx responses. */
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** 2xx responses per second over the whole run. */
  readonly rps: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly statusCodes: Record<string, number>;
}

/** The q-th quantile (0..1) of unsorted samples, nearest rank; NaN when empty. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function percentiles(samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  const mean = samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN, mean };
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

export interface LoadOptions {
  readonly title: string;
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Requests per connection, built per connection (tokens, unique bodies). */
  readonly requestsFor?: (connection: number) => RequestSpec[];
  readonly overallRate?: number;
}

/** Runs autocannon; every 2xx response time is kept for the percentiles. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const latencies: number[] = [];
  let connection = 0;
  const opts: Options = {
    url: options.url,
    title: options.title,
    connections: options.connections,
    duration: options.durationS,
    timeout: 30,
    ...(options.method ? { method: options.method } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    ...(options.requestsFor ? { setupClient: (client: Client) => client.setRequests(options.requestsFor!(connection++)) } : {}),
  };
  const instance = autocannon(opts);
  instance.on('response', (_client: Client, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]));
  const latency = percentiles(latencies);
  return {
    title: options.title,
    connections: options.connections,
    durationS: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: round(result['2xx'] / result.duration, 1),
    latencyMs: { p50: round(latency.p50, 3), p90: round(latency.p90, 3), p99: round(latency.p99, 3), max: round(latency.max, 3), mean: round(latency.mean, 3) },
    statusCodes,
  };
}

/** Short run to warm up JIT, pools and connections; its figures are thrown away. */
export async function warmUp(options: LoadOptions, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  await runLoad({ ...options, title: `${options.title} (warm-up)`, durationS: seconds });
}
