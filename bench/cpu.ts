// Who used the CPU during a scenario, in % of one core: the service,
// PostgreSQL (every backend), Redis, this process (the load generator), the
// benchmark's other children (the rebuild's cli), the kernel's interrupt work
// (loopback networking, disk) and every other process on the machine, by
// name. On a small machine they all compete, which is why the ceilings are
// measured in the same run, and why other people's work shows here.
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const SAMPLE_MS = 250;

interface ProcStat {
  readonly comm: string;
  readonly ppid: number;
  readonly ticks: number;
}

async function statOf(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    // After the command name: state is field 3, ppid 4, utime 14, stime 15.
    const fields = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(open + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

async function machineTicks(): Promise<{ busy: number; total: number; interrupts: number }> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const values = line.split(/\s+/).slice(1).map(Number).filter(Number.isFinite);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total, interrupts: (values[5] ?? 0) + (values[6] ?? 0) };
}

export interface CpuShare {
  /** % of one core each; the machine's total is out of cores × 100. */
  readonly service: number;
  readonly postgres: number;
  readonly redis: number;
  readonly loadGenerator: number;
  /** The benchmark's other child processes (the rebuild's cli). */
  readonly children: number;
  /** Interrupt and softirq time and kernel threads: loopback TCP and disk work the load causes. */
  readonly kernelInterrupts: number;
  readonly kernelThreads: number;
  /** Every other process, the largest by name: other people's builds and tests show here. */
  readonly other: number;
  readonly otherTop: Record<string, number>;
  readonly machineBusy: number;
  readonly cores: number;
}

/**
 * Samples every few hundred ms, per process, so a PostgreSQL backend or a
 * child that comes and goes inside the window is still counted (up to its
 * last sample).
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
        if (pid === process.pid) return; // counted with process.cpuUsage()
        const stat = await statOf(pid);
        if (!stat) return;
        const known = seen.get(pid);
        if (known) {
          known.last = stat.ticks;
          return;
        }
        const group =
          pid === servicePid ? 'service'
          : stat.ppid === process.pid ? 'children'
          : stat.comm === 'postgres' ? 'postgres'
          : stat.comm.startsWith('redis-server') ? 'redis'
          : stat.ppid === 2 || pid === 2 ? 'kernelThreads'
          : `other:${stat.comm}`;
        // A process born inside the window spent all its ticks inside it.
        seen.set(pid, { group, first: firstPass ? stat.ticks : 0, last: stat.ticks });
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
    const totals = new Map<string, number>();
    for (const { group, first, last } of seen.values()) totals.set(group, (totals.get(group) ?? 0) + (last - first));
    const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
    const machineTotal = machineAfter.total - machineBefore.total;
    const share = (ticks: number) => (machineTotal > 0 ? Math.round((ticks / machineTotal) * cores * 100) : 0);
    const others = [...totals.entries()].filter(([group]) => group.startsWith('other:')).map(([group, ticks]) => [group.slice(6), pct(ticks)] as const);
    return {
      service: pct(totals.get('service') ?? 0),
      postgres: pct(totals.get('postgres') ?? 0),
      redis: pct(totals.get('redis') ?? 0),
      loadGenerator: Math.round(((bench.user + bench.system) / 1e6 / seconds) * 100),
      children: pct(totals.get('children') ?? 0),
      kernelInterrupts: share(machineAfter.interrupts - machineBefore.interrupts),
      kernelThreads: pct(totals.get('kernelThreads') ?? 0),
      other: others.reduce((a, [, p]) => a + p, 0),
      otherTop: Object.fromEntries(others.filter(([, p]) => p > 0).sort((a, b) => b[1] - a[1]).slice(0, 3)),
      machineBusy: share(machineAfter.busy - machineBefore.busy),
      cores,
    };
  };
}

export const formatCpu = (cpu: CpuShare) =>
  `CPU, % of one core (${cpu.cores} cores): service ${cpu.service}, postgres ${cpu.postgres}, redis ${cpu.redis}, load generator ${cpu.loadGenerator}` +
  `${cpu.children ? `, cli ${cpu.children}` : ''}, kernel ${cpu.kernelInterrupts + cpu.kernelThreads}, other processes ${cpu.other}` +
  `${Object.keys(cpu.otherTop).length ? ` (${Object.entries(cpu.otherTop).map(([n, p]) => `${n} ${p}`).join(', ')})` : ''}; machine ${cpu.machineBusy}`;
