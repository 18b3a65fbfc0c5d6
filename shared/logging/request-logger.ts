import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = Parameters<FastifyBaseLogger['info']>;

/**
 * `request.log` that becomes a real child logger (with the request id bound) only when something
 * is logged through it. Fastify makes one child per request; with most requests not logged (see
 * request-log.ts), building it for each one (bindings, levels, redaction) is wasted work.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.real?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.resolve().level = level;
  }

  fatal(...args: LogArgs): void {
    this.log('fatal', args);
  }

  error(...args: LogArgs): void {
    this.log('error', args);
  }

  warn(...args: LogArgs): void {
    this.log('warn', args);
  }

  info(...args: LogArgs): void {
    this.log('info', args);
  }

  debug(...args: LogArgs): void {
    this.log('debug', args);
  }

  trace(...args: LogArgs): void {
    this.log('trace', args);
  }

  silent(): void {
    // Nothing is written at level silent.
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.resolve().child(bindings, options);
  }

  private log(method: LogMethod, args: LogArgs): void {
    this.resolve()[method](...args);
  }

  private resolve(): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }
}

/** Fastify's `childLoggerFactory` that hands each request a LazyChildLogger. */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => new LazyChildLogger(logger, bindings, options);
