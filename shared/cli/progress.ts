/**
 * A progress bar for long operator commands, on stderr so stdout stays for results:
 * `label [#####.....] n/total rate/s eta` redrawn in place on a terminal, a plain line every few
 * seconds otherwise (logs, CI), and one summary line at the end.
 */

/** What a long-running job reports to; `silentProgress` when nobody watches (tests). */
export interface ProgressSink {
  /** The expected number of items; it may grow while the job runs (live writes). */
  setTotal(total: number): void;
  add(done: number): void;
  /** A line of its own (a step, a warning) that does not garble the bar. */
  note(line: string): void;
}

export interface Progress extends ProgressSink {
  readonly done: number;
  /** Stops redrawing and writes the summary line; returns the elapsed milliseconds. */
  finish(outcome?: string): number;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total?: number;
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Redraw period on a terminal; plain lines come every `plainIntervalMs`. */
  readonly ttyIntervalMs?: number;
  readonly plainIntervalMs?: number;
  readonly now?: () => number;
}

export const silentProgress: ProgressSink = {
  setTotal: () => undefined,
  add: () => undefined,
  note: () => undefined,
};

const WIDTH = 30;

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The bar line alone, for tests and for both output modes. */
export function renderBar(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  width = WIDTH,
): string {
  const fraction = total > 0 ? Math.min(done / total, 1) : done > 0 ? 1 : 0;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = Math.max(total - done, 0);
  const eta = rate > 0 ? `eta ${formatDuration((left / rate) * 1000)}` : 'eta ?';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${formatCount(done)}/${formatCount(total)} ${formatCount(rate)}/s ${eta}`;
}

export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const now = options.now ?? Date.now;
  const interval = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5_000);
  const started = now();
  let total = options.total ?? 0;
  let done = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;

  const line = () => renderBar(options.label, done, total, now() - started);
  const draw = (force: boolean) => {
    if (finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    if (tty) {
      stream.write(`\r${line()}\x1b[K`);
      drawn = true;
    } else {
      stream.write(`${line()}\n`);
    }
  };
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[K');
    drawn = false;
  };

  return {
    get done() {
      return done;
    },
    setTotal(value) {
      total = Math.max(value, 0);
      draw(false);
    },
    add(n) {
      done += n;
      draw(false);
    },
    note(text) {
      clear();
      stream.write(`${text}\n`);
      if (tty && !finished && lastDraw > Number.NEGATIVE_INFINITY) draw(true);
    },
    finish(outcome = 'done') {
      const elapsed = now() - started;
      if (finished) return elapsed;
      clear();
      finished = true;
      const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
      stream.write(
        `${options.label}: ${outcome}, ${formatCount(done)} in ${formatDuration(elapsed)} (${formatCount(rate)}/s)\n`,
      );
      return elapsed;
    },
  };
}
