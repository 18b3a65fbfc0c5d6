import { ADMIN_TOKEN } from '../support/catalog-write.js';

/** One command the write side acknowledged (2xx), with the version it returned. */
export interface Ack {
  readonly id: string;
  readonly version: number;
  readonly kind: CommandKind;
  /** When the acknowledgement arrived (ms since epoch): the start of its staleness. */
  readonly at: number;
}

export type CommandKind = 'create' | 'price' | 'stock' | 'publish';

export interface LoadCounts {
  acknowledged: number;
  refused: number;
  reads: number;
  readErrors: number;
  /** Read answers of 5xx other than 503 (503 + Retry-After is the promised outage answer). */
  readServerErrors: number;
}

export interface Load {
  readonly acks: Ack[];
  readonly counts: LoadCounts;
  stop(): Promise<void>;
}

export interface LoadOptions {
  readonly writePort: number;
  readonly readPort: number;
  /** Commands per second, spread over a few concurrent writers. */
  readonly writesPerSecond: number;
  readonly readsPerSecond: number;
  /** Called with each acknowledgement as it arrives. */
  readonly onAck?: (ack: Ack) => void;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** Picks the next command: creates until there are a few products, then a mix. */
export function nextCommand(products: number): CommandKind {
  if (products < 5) return 'create';
  return pick<CommandKind>(['create', 'price', 'price', 'stock', 'stock', 'publish']);
}

function request(
  kind: CommandKind,
  id: string | undefined,
): { method: string; path: string; body: unknown } {
  switch (kind) {
    case 'create':
      return {
        method: 'POST',
        path: '/admin/v1/products',
        body: {
          sku: `FAULT-${Math.random().toString(36).slice(2, 12)}`,
          name: `Campaign product ${Math.random().toString(36).slice(2, 6)}`,
          brand: pick(['Stride', 'Nimbus', 'Koru']),
          price: { amountMinor: 100 + Math.floor(Math.random() * 9000), currency: 'EUR' },
        },
      };
    case 'price':
      return {
        method: 'PUT',
        path: `/admin/v1/products/${id}/price`,
        body: { amountMinor: 100 + Math.floor(Math.random() * 9000), currency: 'EUR' },
      };
    case 'stock':
      return {
        method: 'POST',
        path: `/admin/v1/products/${id}/stock-adjustments`,
        body: {
          warehouse: pick(['north', 'south']),
          delta: 1 + Math.floor(Math.random() * 5),
          reason: 'restock',
        },
      };
    case 'publish':
      return { method: 'POST', path: `/admin/v1/products/${id}/publish`, body: undefined };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one command; the acknowledgement, or undefined when it was not acknowledged. */
async function send(
  port: number,
  kind: CommandKind,
  id: string | undefined,
): Promise<Ack | undefined> {
  const { method, path, body } = request(kind, id);
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) return undefined;
    const answer = JSON.parse(text) as { id: string; version: number };
    return { id: answer.id, version: answer.version, kind, at: Date.now() };
  } catch {
    return undefined;
  }
}

async function read(port: number, ids: readonly string[], counts: LoadCounts): Promise<void> {
  const path =
    ids.length > 0 && Math.random() < 0.5
      ? `/v1/products/${pick(ids)}`
      : `/v1/search?q=${pick(['campaign', 'product', 'stride', ''])}&size=10`;
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    counts.reads++;
    if (response.status >= 500 && response.status !== 503) counts.readServerErrors++;
  } catch {
    counts.readErrors++;
  }
}

/** A steady write load and a read load in the background, until stop(). */
export function startLoad(options: LoadOptions): Load {
  const acks: Ack[] = [];
  const ids: string[] = [];
  const counts: LoadCounts = {
    acknowledged: 0,
    refused: 0,
    reads: 0,
    readErrors: 0,
    readServerErrors: 0,
  };
  let running = true;
  const writers = 4;
  const writer = async () => {
    const interval = (1000 * writers) / options.writesPerSecond;
    while (running) {
      const started = Date.now();
      const kind = nextCommand(ids.length);
      const ack = await send(options.writePort, kind, kind === 'create' ? undefined : pick(ids));
      if (ack === undefined) counts.refused++;
      else {
        acks.push(ack);
        counts.acknowledged++;
        if (kind === 'create') ids.push(ack.id);
        options.onAck?.(ack);
      }
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  };
  const reader = async () => {
    const interval = 1000 / options.readsPerSecond;
    while (running) {
      const started = Date.now();
      await read(options.readPort, ids, counts);
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  };
  const loops = [...Array.from({ length: writers }, writer), reader()];
  return {
    acks,
    counts,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
