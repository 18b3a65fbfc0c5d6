import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly url: string;
  /** Down: open connections are cut and new ones are refused, like a store that went away. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** The first this many connections are accepted and never answered (a store that hangs). */
  readonly unansweredConnections?: number;
}

/** A loopback TCP proxy in front of a real store, to take it away and bring it back in a test. */
export async function startTcpProxy(target: URL, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  let down = false;
  let unanswered = options.unansweredConnections ?? 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    if (unanswered > 0) {
      unanswered--;
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `${target.protocol}//127.0.0.1:${address.port}`,
    setDown: (value) => {
      down = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
