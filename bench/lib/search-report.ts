/**
 * The figures of bench:search: one table per mix (Aisle and the baseline side by side, per
 * connection count, with the ratios), what each side answered on a sample of the mix, and the
 * lines worth a reader's attention.
 */
import type { SearchLoad } from './search-load.js';
import type { SearchMixName } from './search-options.js';

export type Side = 'aisle' | 'baseline';

export interface Cell {
  readonly mix: SearchMixName;
  readonly connections: number;
  readonly side: Side;
  /** Position in the run (the sides alternate; this says which went first). */
  readonly order: number;
  readonly load: SearchLoad;
}

/** What one side answered on a sample of a mix's requests (not measured, before the load). */
export interface AnswerSample {
  readonly mix: SearchMixName;
  readonly side: Side;
  readonly requests: number;
  readonly meanTotal: number;
  /** Share of requests that found nothing. */
  readonly zeroShare: number;
  readonly errors: number;
}

export interface Figures {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** Search results (200s) per second and their exact latency; everything else is `errors`. */
export function figures(load: SearchLoad): Figures {
  return {
    requestsPerSecond: load.okPerSecond,
    p50: load.latencyMs.p50,
    p99: load.latencyMs.p99,
    errors: load.failed,
  };
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const rate = (v: number) => (v < 100 ? v.toFixed(1) : v.toFixed(0));
const times = (v: number) => (Number.isFinite(v) && v > 0 ? `${v.toFixed(1)}×` : '-');

function render(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)));
  return [
    line(header).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(r).join('  ')),
  ].join('\n');
}

/** The pair of cells (Aisle, baseline) of one mix at one connection count. */
export function pairOf(
  cells: readonly Cell[],
  mix: SearchMixName,
  connections: number,
): { aisle?: Figures; baseline?: Figures } {
  const find = (side: Side) =>
    cells.find((c) => c.mix === mix && c.connections === connections && c.side === side);
  const a = find('aisle');
  const b = find('baseline');
  return {
    ...(a === undefined ? {} : { aisle: figures(a.load) }),
    ...(b === undefined ? {} : { baseline: figures(b.load) }),
  };
}

export function mixTable(
  mix: SearchMixName,
  describe: string,
  cells: readonly Cell[],
  connections: readonly number[],
): string {
  const header = [
    'conns',
    'aisle req/s',
    'p50 ms',
    'p99 ms',
    'baseline req/s',
    'p50 ms',
    'p99 ms',
    'req/s ratio',
    'p50 ratio',
    'p99 ratio',
    'failed a/b',
  ];
  const rows = connections.map((c) => {
    const { aisle: a, baseline: b } = pairOf(cells, mix, c);
    return [
      String(c),
      a === undefined ? '-' : rate(a.requestsPerSecond),
      a === undefined ? '-' : ms(a.p50),
      a === undefined ? '-' : ms(a.p99),
      b === undefined ? '-' : rate(b.requestsPerSecond),
      b === undefined ? '-' : ms(b.p50),
      b === undefined ? '-' : ms(b.p99),
      a && b ? times(a.requestsPerSecond / b.requestsPerSecond) : '-',
      a && b ? times(b.p50 / a.p50) : '-',
      a && b ? times(b.p99 / a.p99) : '-',
      `${a?.errors ?? '-'}/${b?.errors ?? '-'}`,
    ];
  });
  return `mix ${mix}: ${describe}\n${render(header, rows)}`;
}

export function sampleTable(samples: readonly AnswerSample[]): string {
  const mixes = [...new Set(samples.map((s) => s.mix))];
  const rows = mixes.map((mix) => {
    const a = samples.find((s) => s.mix === mix && s.side === 'aisle');
    const b = samples.find((s) => s.mix === mix && s.side === 'baseline');
    const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
    return [
      mix,
      String(a?.requests ?? '-'),
      a === undefined ? '-' : a.meanTotal.toFixed(0),
      pct(a?.zeroShare),
      b === undefined ? '-' : b.meanTotal.toFixed(0),
      pct(b?.zeroShare),
    ];
  });
  return render(
    ['mix', 'sampled', 'aisle mean total', 'found nothing', 'baseline mean total', 'found nothing'],
    rows,
  );
}

export function searchWarnings(cells: readonly Cell[], samples: readonly AnswerSample[]): string[] {
  const found: string[] = [];
  for (const cell of cells) {
    const f = figures(cell.load);
    const name = `${cell.mix} c=${cell.connections} ${cell.side}`;
    if (f.errors > 0) {
      const statuses = Object.entries(cell.load.statuses)
        .map(([status, n]) => `${status}×${n}`)
        .join(', ');
      const transport = Object.entries(cell.load.transportErrors)
        .map(([message, n]) => `${message}×${n}`)
        .join(', ');
      found.push(
        `WARNING ${name}: ${f.errors} failed (answers ${statuses}${transport === '' ? '' : `; ${transport}`})`,
      );
    }
    if (cell.load.interrupted) found.push(`WARNING ${name}: interrupted, figures are partial`);
  }
  for (const s of samples) {
    if (s.errors > 0) found.push(`WARNING ${s.mix} ${s.side}: ${s.errors} sampled requests failed`);
  }
  return found;
}
