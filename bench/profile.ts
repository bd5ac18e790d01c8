// Summarizes a V8 .cpuprofile (node --cpu-prof): where the main thread spent
// its time, by function and by package. Also a command:
//   node dist/bench/profile.js <file.cpuprofile> [top]
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time not idle: what the process actually computed. */
  readonly busyMs: number;
  readonly selfByFunction: Hotspot[];
  readonly selfByPackage: Hotspot[];
  /** Inclusive time of our own code (dist/src), recursion counted once. */
  readonly inclusiveOwn: Hotspot[];
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const own = /\/dist\/(src\/.*)\.js$/.exec(url);
  return own ? own[1]! : url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const own = /\/dist\/(.*)$/.exec(url);
  return own ? own[1]! : url;
}

const keyOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
};

function top(map: Map<string, number>, busy: number, count: number): Hotspot[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Number(((us / busy) * 100).toFixed(1)) }));
}

export async function summarizeProfile(path: string, count = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta);
    total += delta;
  }
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const busy = Math.max(1, total - idle);

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    byFunction.set(keyOf(node), (byFunction.get(keyOf(node)) ?? 0) + us);
    const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }

  // Inclusive time per own function: a subtree's time, counted once per call chain.
  const inclusive = new Map<string, number>();
  const subtree = new Map<number, number>();
  const root = profile.nodes[0]!;
  const totalOf = (node: ProfileNode): number => {
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += totalOf(byId.get(child)!);
    subtree.set(node.id, sum);
    return sum;
  };
  totalOf(root);
  const walk = (node: ProfileNode, open: Set<string>) => {
    const key = keyOf(node);
    const own = /\/dist\/src\//.test(node.callFrame.url);
    const counted = own && !open.has(key);
    if (counted) {
      inclusive.set(key, (inclusive.get(key) ?? 0) + (subtree.get(node.id) ?? 0));
      open.add(key);
    }
    for (const child of node.children ?? []) walk(byId.get(child)!, open);
    if (counted) open.delete(key);
  };
  walk(root, new Set());

  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    selfByFunction: top(byFunction, busy, count),
    selfByPackage: top(byPackage, busy, count),
    inclusiveOwn: top(inclusive, busy, count),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const section = (title: string, rows: Hotspot[]) =>
    [`${title}`, ...rows.map((r) => `  ${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`)].join('\n');
  return [
    `profile: ${summary.busyMs} ms busy of ${summary.totalMs} ms (percentages are of busy time)`,
    section('self time by package:', summary.selfByPackage),
    section('self time by function:', summary.selfByFunction),
    section('inclusive time of our code (dist/src):', summary.inclusiveOwn),
  ].join('\n\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, count] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node dist/bench/profile.js <file.cpuprofile> [top]\n');
    process.exit(64);
  }
  process.stdout.write(`${formatSummary(await summarizeProfile(path, Number(count ?? 25)))}\n`);
}
