/**
 * Output and small helpers shared by the status, dead-letters and verify commands. Commands write
 * through an Output so tests capture exactly what an operator would see.
 */
import { projectionNames, type ProjectionName } from '../events/queues.js';

export interface Output {
  /** One line of the command's result (stdout). */
  line(text: string): void;
  /** A progress note (stderr): redrawn in place on a terminal, one line each otherwise. */
  progress(text: string): void;
}

/** stdout for results, stderr for progress. */
export function processOutput(): Output {
  const tty = process.stderr.isTTY;
  let redrawing = false;
  return {
    line(text) {
      if (redrawing) process.stderr.write('\n');
      redrawing = false;
      process.stdout.write(`${text}\n`);
    },
    progress(text) {
      if (tty) {
        process.stderr.write(`\r${text}\x1b[K`);
        redrawing = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
  };
}

export interface MemoryOutput extends Output {
  readonly lines: string[];
  readonly progressLines: string[];
  text(): string;
}

/** Keeps everything written, for tests. */
export function memoryOutput(): MemoryOutput {
  const lines: string[] = [];
  const progressLines: string[] = [];
  return {
    lines,
    progressLines,
    line: (text) => void lines.push(text),
    progress: (text) => void progressLines.push(text),
    text: () => lines.join('\n'),
  };
}

export const count = (n: number): string => n.toLocaleString('en-US');

/** A short human duration: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(1)} s`;
  const s = Math.floor(abs / 1_000);
  if (s < 3_600) return `${sign}${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  return `${sign}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/**
 * Rows as aligned columns separated by two spaces; columns listed in `right` are right-aligned
 * (numbers). The last column is not padded, so lines carry no trailing blanks.
 */
export function table(
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (right.includes(i)) return cell.padStart(width);
        return i === row.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

/** `--projection P` (undefined: all of them). */
export function projectionsOption(value: string | undefined): readonly ProjectionName[] {
  return oneOrAllOption(value, projectionNames);
}

/** `--projection P`: the one named, of these names; all of them when absent. */
export function oneOrAllOption<N extends string>(
  value: string | undefined,
  names: readonly N[],
): readonly N[] {
  if (value === undefined) return names;
  const name = names.find((p) => p === value);
  if (name === undefined) {
    throw new Error(`unknown projection "${value}"; one of: ${names.join(', ')}`);
  }
  return [name];
}

/** A positive integer option, e.g. `--limit 20`. */
export function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

export { mapLimit } from '../map-limit.js';
