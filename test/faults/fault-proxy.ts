import { createServer, connect, type Socket } from 'node:net';

/**
 * up: bytes flow both ways. cut: open connections are destroyed and new ones refused at once,
 * like a store process that went away. blackhole: connections are accepted and nothing is ever
 * answered, like a store that hangs (open connections freeze too).
 */
export type ProxyMode = 'up' | 'cut' | 'blackhole';

export interface FaultProxy {
  readonly name: string;
  /** The target URL with its host and port replaced by this proxy's. */
  readonly url: string;
  mode(): ProxyMode;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream?: Socket;
  frozen: boolean;
}

/**
 * A loopback TCP proxy in front of one shared store. The campaign points only its own services
 * at it, so an "outage" never touches the store other people are using on the same machine.
 */
export async function startFaultProxy(name: string, target: URL): Promise<FaultProxy> {
  let mode: ProxyMode = 'up';
  const pairs = new Set<Pair>();
  const destroy = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const pair: Pair = { client, frozen: mode === 'blackhole' };
    pairs.add(pair);
    client.on('error', () => destroy(pair));
    client.on('close', () => destroy(pair));
    if (pair.frozen) {
      client.pause();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    pair.upstream = upstream;
    upstream.on('error', () => destroy(pair));
    upstream.on('close', () => destroy(pair));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    name,
    url: url.toString().replace(/\/$/, ''),
    mode: () => mode,
    setMode(next) {
      const previous = mode;
      mode = next;
      if (next === 'cut') for (const pair of [...pairs]) destroy(pair);
      if (next === 'blackhole') {
        for (const pair of pairs) {
          pair.frozen = true;
          pair.client.unpipe();
          pair.upstream?.unpipe();
          pair.client.pause();
          pair.upstream?.pause();
        }
      }
      // Frozen connections carry requests their clients gave up on: end them, as a restart would.
      if (next === 'up' && previous === 'blackhole') {
        for (const pair of [...pairs]) if (pair.frozen) destroy(pair);
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of [...pairs]) destroy(pair);
        server.close(() => resolve());
      }),
  };
}
