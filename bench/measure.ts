// What every scenario records besides its load: who used the CPU, the SQL
// sent per request (--count-queries), the service's memory, and the other
// work on the machine before the run.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { argon2HashesPerSecond, rawInsertTxPerSecond } from './ceilings.js';
import { memoryOf, type Child } from './children.js';
import { cpuMeter, formatCpu } from './cpu.js';
import type { LagResult } from './lag.js';
import type { LoadSummary } from './load.js';
import type { RebuildResult } from './rebuild.js';
import { args, log } from './options.js';

/** What the scenarios measured; a scenario not run (--only) leaves its figures undefined. */
export interface Measurements {
  raw?: Awaited<ReturnType<typeof rawInsertTxPerSecond>> | undefined;
  bareGet?: LoadSummary | undefined;
  barePost?: LoadSummary | undefined;
  argon2?: Awaited<ReturnType<typeof argon2HashesPerSecond>> | undefined;
  getClient?: LoadSummary | undefined;
  getClientRoute: string;
  commands?: LoadSummary | undefined;
  lagLoad?: LoadSummary | undefined;
  lag?: LagResult | undefined;
  lagConnections?: number | undefined;
  lagSustainable?: { load: LoadSummary; lag: LagResult; connections: number; rate: number } | undefined;
  register?: LoadSummary | undefined;
  booking?: LoadSummary | undefined;
  bookingByService?: LoadSummary | undefined;
  /** Why booking by service could not be set up (no services catalogue, say). */
  servicesUnavailable?: string | undefined;
  slots?: LoadSummary | undefined;
  schedulingUnavailable?: string | undefined;
  rebuild?: RebuildResult | undefined;
  peakRss?: number | undefined;
}

/** One bench run, as its scenarios share it. */
export interface Run {
  readonly dbName: string;
  readonly rebuildDbName: string;
  readonly dataDir: string;
  readonly queryCountsFile: string | undefined;
  readonly profileDir: string | undefined;
  readonly meter: Meter;
  readonly details: Record<string, unknown>;
  readonly m: Measurements;
  /** Children still running, stopped by run.ts when a scenario throws. */
  readonly children: { service?: Child | undefined; bare?: Child | undefined };
}

/** Peak resident memory of a child, per phase and over its life (VmHWM). */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private phase = 'start';
  readonly byPhase: Record<string, number> = {};
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => void this.sample(), 200);
  }
  async sample(): Promise<number | undefined> {
    const memory = await memoryOf(this.pid);
    if (!memory) return undefined;
    this.byPhase[this.phase] = Math.max(this.byPhase[this.phase] ?? 0, Number(memory.rssMb.toFixed(1)));
    return memory.peakMb;
  }
  enter(phase: string): void {
    void this.sample();
    this.phase = phase;
  }
  async stop(): Promise<number | undefined> {
    clearInterval(this.timer);
    const peak = await this.sample();
    return peak === undefined ? undefined : Number(Math.max(peak, ...Object.values(this.byPhase)).toFixed(1));
  }
}

export const served = (load: LoadSummary) => load.ok + load.non2xx;

export interface Meter {
  readonly cpuByScenario: Record<string, unknown>;
  readonly queriesByScenario: Record<string, unknown>;
  /** Runs one measured scenario and records who used the CPU (and, with --count-queries, the SQL sent per request). */
  measured<T>(name: string, pid: number | undefined, work: () => Promise<T>, requestsOf?: (result: T) => number): Promise<T>;
}

export function meter(cores: number, queryCountsFile: string | undefined): Meter {
  const cpuByScenario: Record<string, unknown> = {};
  const queriesByScenario: Record<string, unknown> = {};

  const queryCounts = async (): Promise<Record<string, number> | undefined> => {
    if (!queryCountsFile) return undefined;
    await sleep(300); // the service writes its counts every 200 ms
    return JSON.parse(await readFile(queryCountsFile, 'utf8').catch(() => '{}')) as Record<string, number>;
  };

  async function measured<T>(name: string, pid: number | undefined, work: () => Promise<T>, requestsOf?: (result: T) => number): Promise<T> {
    const before = await queryCounts();
    const stop = await cpuMeter(pid, cores);
    const result = await work();
    const cpu = await stop();
    cpuByScenario[name] = cpu;
    log(`  ${formatCpu(cpu)}`);
    const after = await queryCounts();
    if (before && after && requestsOf) {
      const requests = Math.max(1, requestsOf(result));
      const kinds = Object.entries(after)
        .map(([kind, n]) => [kind, n - (before[kind] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]);
      const total = kinds.reduce((a, [, n]) => a + n, 0);
      const perRequest = Object.fromEntries(kinds.map(([kind, n]) => [kind, Number((n / requests).toFixed(2))]));
      queriesByScenario[name] = { total, perRequest: Number((total / requests).toFixed(2)), byKind: perRequest };
      log(`  SQL statements per request: ${(total / requests).toFixed(1)} (${kinds.slice(0, 8).map(([k, n]) => `${k} ${(n / requests).toFixed(2)}`).join(', ')})`);
    }
    return result;
  }
  return { cpuByScenario, queriesByScenario, measured };
}

/** Other work on the machine skews every figure: measure it, and optionally wait for quiet. */
export async function backgroundCpuBeforeRun(cores: number): Promise<number> {
  const background = async () => {
    const stop = await cpuMeter(undefined, cores);
    await sleep(2000);
    return (await stop()).other;
  };
  let backgroundCpu = await background();
  const waitQuietS = Number(args['wait-quiet'] ?? 0);
  for (const deadline = Date.now() + waitQuietS * 1000; backgroundCpu > 15 && Date.now() < deadline; ) {
    log(`the machine is busy with other work (${backgroundCpu}% of a core); waiting for it to calm down`);
    await sleep(10_000);
    backgroundCpu = await background();
  }
  log(`background CPU before the run: ${backgroundCpu}% of one core`);
  return backgroundCpu;
}
