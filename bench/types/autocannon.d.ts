/**
 * The part of autocannon 8's programmatic API that bench/read.ts uses. autocannon ships no
 * types; this covers only what the bench calls, as autocannon's README and lib/ describe it.
 */
declare module 'autocannon' {
  namespace autocannon {
    /** What setupRequest receives and returns: one request, built into raw HTTP/1.1 bytes. */
    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Request extends RequestParams {
      /**
       * Called before every request of the connection with a fresh copy of this entry and the
       * connection's context; returns the request to send.
       */
      setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
      /** Called when the answer to this request is complete, before the `response` event. */
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string | string[]>,
      ) => void;
    }

    interface Options {
      url: string;
      /** Concurrent keep-alive connections (default 10). */
      connections?: number;
      /** Seconds (default 10). */
      duration?: number;
      /** Seconds without an answer before a request counts as a timeout (default 10). */
      timeout?: number;
      pipelining?: number;
      headers?: Record<string, string>;
      requests?: Request[];
      initialContext?: Record<string, unknown>;
      title?: string;
    }

    /** autocannon's summary of one HDR histogram (latency in whole milliseconds). */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p1: number;
      p2_5: number;
      p10: number;
      p25: number;
      p50: number;
      p75: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
      p99_99: number;
      p99_999: number;
      /** latency only: the number of recorded values. */
      totalCount?: number;
      /** requests only: requests sent. */
      sent?: number;
    }

    interface Result {
      title?: string;
      url: string;
      connections: number;
      pipelining: number;
      /** Seconds. */
      duration: number;
      samples: number;
      start: Date;
      finish: Date;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      /** Completed requests per second, one sample a second. */
      requests: Histogram;
      /** Bytes per second. */
      throughput: Histogram;
    }

    /** The running instance: its events, and `stop()` to end the run early (results still come). */
    interface Instance {
      stop(): void;
      /** Every complete answer, after the request's onResponse. */
      on(
        event: 'response',
        listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void,
      ): this;
      /** A connection error or a timeout (no answer). */
      on(event: 'reqError', listener: (error: Error) => void): this;
      /** Once a second: answers completed in that second. */
      on(event: 'tick', listener: (counts: { counter: number; bytes: number }) => void): this;
      on(event: 'start', listener: () => void): this;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
