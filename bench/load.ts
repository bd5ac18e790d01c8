// One load scenario through autocannon, with sub-millisecond latency
// percentiles (autocannon's own histogram keeps whole milliseconds).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /**
   * With overallRate: split the load over this many autocannon instances started
   * 1/n s apart. autocannon paces in one-second windows that open together for
   * every connection; staggered instances spread those bursts over the second.
   */
  readonly stagger?: number;
}

/** Runs autocannon; every 2xx response time is kept for the percentiles. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  if (options.overallRate && options.stagger && options.stagger > 1) return runStaggered(options, options.stagger);
  return runOne(options, { next: 0 });
}

async function runStaggered(options: LoadOptions, parts: number): Promise<LoadSummary> {
  const rate = options.overallRate!;
  const perPart = Math.max(1, Math.floor(options.connections / parts));
  const counter = { next: 0 };
  const latencies: number[] = [];
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: parts }, async (_, k) => {
      await sleep((k * 1000) / parts);
      const share = Math.floor(rate / parts) + (k < rate % parts ? 1 : 0);
      return runOne({ ...options, title: `${options.title} [${k + 1}/${parts}]`, connections: perPart, overallRate: Math.max(1, share), stagger: 1 }, counter, latencies);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sum = (pick: (r: LoadSummary) => number) => results.reduce((a, r) => a + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const latency = percentiles(latencies);
  return {
    title: options.title,
    connections: perPart * parts,
    durationS: round(seconds, 2),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    // Every instance ran `durationS`; they overlapped except for the stagger.
    rps: round(sum((r) => r.ok) / options.durationS, 1),
    latencyMs: { p50: round(latency.p50, 3), p90: round(latency.p90, 3), p99: round(latency.p99, 3), max: round(latency.max, 3), mean: round(latency.mean, 3) },
    statusCodes,
  };
}

async function runOne(options: LoadOptions, counter: { next: number }, latencies: number[] = []): Promise<LoadSummary> {
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
    ...(options.requestsFor ? { setupClient: (client: Client) => client.setRequests(options.requestsFor!(counter.next++)) } : {}),
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
