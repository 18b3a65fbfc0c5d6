import { Problem, type FieldProblem } from '../../http/problems.js';

const DAY_MS = 86_400_000;

/** The rules every time window follows; the numbers are part of the published contract. */
export const windowRules = {
  /** Without from/to: the last 7 days up to now. */
  defaultDays: 7,
  /** The widest window any route answers. */
  maxDays: 366,
  /** Hourly buckets over a year would be ~9,000 per event type: hourly stays within a month. */
  maxHourlyDays: 31,
  /** Earliest and latest instants accepted (ClickHouse DateTime covers 1970 … 2106). */
  earliest: Date.UTC(1970, 0, 1),
  latest: Date.UTC(2100, 0, 1),
} as const;

/** A half-open interval [from, to) on whole seconds, checked against the rules above. */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

export interface WindowQuery {
  readonly from?: string;
  readonly to?: string;
}

function invalid(field: 'from' | 'to', message: string): Problem {
  const errors: FieldProblem[] = [{ field: `querystring.${field}`, message }];
  return new Problem('validation_failed', `querystring.${field} ${message}`, errors);
}

function instant(field: 'from' | 'to', text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw invalid(field, 'is not a date-time this service can read');
  if (ms < windowRules.earliest || ms > windowRules.latest) {
    throw invalid(field, 'must be between 1970-01-01T00:00:00Z and 2100-01-01T00:00:00Z');
  }
  return ms;
}

/**
 * ClickHouse stores whole seconds. Rounding both ends up keeps [from, to) exact: an event stored
 * at second s happened within [s, s+1), and `s >= ceil(from)` ⇔ `s >= from` for whole s.
 */
const ceilToSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/**
 * Resolves from/to (already shaped by the JSON Schema as date-times) into a window: `to`
 * defaults to now, `from` to 7 days before `to`; from must be before to and the window at most
 * `maxDays` long. Problems are 400s naming the field.
 */
export function resolveWindow(
  query: WindowQuery,
  now: Date = new Date(),
  maxDays: number = windowRules.maxDays,
): TimeWindow {
  const to = query.to === undefined ? now.getTime() : instant('to', query.to);
  const from =
    query.from === undefined ? to - windowRules.defaultDays * DAY_MS : instant('from', query.from);
  if (from >= to) throw invalid('from', 'must be before to');
  if (to - from > maxDays * DAY_MS) {
    throw invalid('to', `must be at most ${maxDays} days after from`);
  }
  return {
    from: new Date(ceilToSecond(Math.max(from, windowRules.earliest))),
    to: new Date(ceilToSecond(Math.min(to, windowRules.latest))),
  };
}
