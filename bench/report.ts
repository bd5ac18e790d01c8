// The table, results.json and the README's results section.
import { readFile, writeFile } from 'node:fs/promises';
import { FIGURE_KEYS, type Figure, type Figures, type FigureValue } from './figures.js';

const fmt = (value: FigureValue | undefined, unit = ''): string => {
  if (value === undefined) return '';
  if (value === 'n/a') return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit ? ` ${unit}` : ''}`;
};

const verdict = (figure: Figure) => (figure.pass === null ? (figure.value === 'n/a' ? 'n/a' : '-') : figure.pass ? 'PASS' : 'FAIL');

export function tableRows(figures: Figures): string[][] {
  return FIGURE_KEYS.map((key) => {
    const f = figures[key];
    return [
      f.label,
      fmt(f.value, f.unit),
      f.ceiling ? `${fmt(f.ceiling.value)} (${f.ceiling.label})` : '',
      f.ratio === undefined ? '' : `${(f.ratio * 100).toFixed(f.ratio < 0.1 ? 1 : 0)}%`,
      f.target,
      verdict(f),
    ];
  });
}

const HEADER = ['figure', 'value', 'ceiling', 'ratio', 'target', 'result'];

export function textTable(figures: Figures): string {
  const rows = [HEADER, ...tableRows(figures)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(figures: Figures): string {
  const esc = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...tableRows(figures).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function notes(figures: Figures): string[] {
  return FIGURE_KEYS.filter((key) => figures[key].note).map((key) => `${figures[key].label}: ${figures[key].note}`);
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated section of bench/README.md (between the markers) with this run's table. */
export async function updateReadme(path: string, heading: string, figures: Figures, warnings: readonly string[] = []): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const at = text.indexOf(START);
  const end = text.indexOf(END);
  if (at < 0 || end < at) return;
  const body = [
    START,
    '',
    heading,
    '',
    markdownTable(figures),
    '',
    ...notes(figures).map((n) => `- ${n}`),
    ...(warnings.length > 0 ? ['', 'Warnings of this run (other work on the machine):', '', ...warnings.map((w) => `- ${w}`)] : []),
    '',
    'Every figure, ceiling, CPU share and setting of the run is in `bench/results.json`.',
    '',
    END,
  ].join('\n');
  await writeFile(path, text.slice(0, at) + body + text.slice(end + END.length));
}
