import http from 'node:http';

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
}

/** status 0 means no HTTP answer at all (connection refused or reset, timeout). */
export interface Reply {
  readonly status: number;
  readonly body: string;
  /** The answer's headers; absent when there was no HTTP answer. */
  readonly headers?: http.IncomingHttpHeaders;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A minimal keep-alive JSON client on node:http: one socket per concurrent worker, reused for
 * every request, so a run measures the service and not TCP handshakes. node:http rather than
 * undici because undici is not a dependency of this project (only a transitive one).
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly authorization: string;

  constructor(origin: URL, token: string, sockets: number) {
    this.host = origin.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(origin.port || 80);
    this.authorization = `Bearer ${token}`;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  send(spec: RequestSpec): Promise<Reply> {
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: http.OutgoingHttpHeaders = {
      authorization: this.authorization,
      accept: 'application/json',
    };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (reply: Reply) => {
        if (settled) return;
        settled = true;
        resolve(reply);
      };
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method: spec.method,
          path: spec.path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            settle({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
          res.on('error', (error) => settle({ status: 0, body: error.message }));
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.on('error', (error) => settle({ status: 0, body: error.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
