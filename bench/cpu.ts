// Who used the CPU during a scenario: the service, PostgreSQL (every
// backend), Redis, this process (the load generator) and everything else on
// the machine, in % of one core. On a small machine they all compete, which
// is why the ceilings are measured in the same run.
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const SAMPLE_MS = 250;

async function ticksOf(pid: number | string): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces): utime is field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const values = line.split(/\s+/).slice(1).map(Number).filter(Number.isFinite);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuShare {
  /** % of one core each; the machine's total is out of cores × 100. */
  readonly service: number;
  readonly postgres: number;
  readonly redis: number;
  readonly loadGenerator: number;
  /** Everything else: other people's builds and tests show up here. */
  readonly other: number;
  readonly machineBusy: number;
  readonly cores: number;
}

const GROUPS: Record<string, string> = { postgres: 'postgres', 'redis-server': 'redis' };

/**
 * Samples every few hundred ms, per process, so a PostgreSQL backend that
 * comes and goes inside the window is still counted (up to its last sample).
 */
export async function cpuMeter(servicePid: number | undefined, cores: number): Promise<() => Promise<CpuShare>> {
  const seen = new Map<number, { group: string; first: number; last: number }>();
  let firstPass = true;
  const sample = async () => {
    let entries: string[] = [];
    try {
      entries = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (entry) => {
        const pid = Number(entry);
        let group: string | undefined = pid === servicePid ? 'service' : seen.get(pid)?.group;
        if (!group) {
          const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
          group = GROUPS[comm];
        }
        if (!group) return;
        const ticks = await ticksOf(pid);
        if (ticks === undefined) return;
        const known = seen.get(pid);
        // A process born inside the window spent all its ticks inside it.
        if (known) known.last = ticks;
        else seen.set(pid, { group, first: firstPass ? ticks : 0, last: ticks });
      }),
    );
    firstPass = false;
  };
  const startedAt = performance.now();
  const benchBefore = process.cpuUsage();
  const machineBefore = await machineTicks();
  await sample();
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample);
  }, SAMPLE_MS);

  return async () => {
    clearInterval(timer);
    await sampling;
    await sample();
    const seconds = (performance.now() - startedAt) / 1000;
    const bench = process.cpuUsage(benchBefore);
    const machineAfter = await machineTicks();
    const totals: Record<string, number> = { service: 0, postgres: 0, redis: 0 };
    for (const { group, first, last } of seen.values()) totals[group] = (totals[group] ?? 0) + (last - first);
    const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
    const machineTotal = machineAfter.total - machineBefore.total;
    const machineBusy = machineTotal > 0 ? Math.round(((machineAfter.busy - machineBefore.busy) / machineTotal) * cores * 100) : 0;
    const share = {
      service: pct(totals.service!),
      postgres: pct(totals.postgres!),
      redis: pct(totals.redis!),
      loadGenerator: Math.round(((bench.user + bench.system) / 1e6 / seconds) * 100),
    };
    const other = Math.max(0, machineBusy - share.service - share.postgres - share.redis - share.loadGenerator);
    return { ...share, other, machineBusy, cores };
  };
}

export const formatCpu = (cpu: CpuShare) =>
  `CPU, % of one core (${cpu.cores} cores): service ${cpu.service}, postgres ${cpu.postgres}, redis ${cpu.redis}, load generator ${cpu.loadGenerator}, other ${cpu.other}; machine ${cpu.machineBusy}`;
