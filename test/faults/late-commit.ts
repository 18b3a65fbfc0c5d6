import { randomUUID } from 'node:crypto';
import { createCommand } from '../../shared/write-model/products/create-body.js';
import { runProductCommand } from '../../shared/write-model/products/commands.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { waitFor } from '../support/wait.js';
import type { Ack } from './load.js';

export interface LateCommit {
  readonly ack: Ack;
  /** The outbox id the held transaction took. */
  readonly outboxId: string;
  /** Events with a higher outbox id the relay published while it was held. */
  readonly relayedPast: number;
}

/**
 * A transaction committing late with a lower outbox id: a real create command, run on the
 * campaign's Postgres schema, is held just before its commit (after its outbox row took an id)
 * until the relay has published `past` later events of the load, and only then commits. The relay
 * must still deliver it; the returned acknowledgement is checked like the load's.
 */
export async function commitLate(
  pool: Pool,
  past: number,
  deadlineMs: number,
): Promise<LateCommit> {
  const id = randomUUID();
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = (_outboxId: string): void => undefined;
  const holding = new Promise<string>((resolve) => (held = resolve));
  const command = runProductCommand(
    pool,
    id,
    createCommand({
      id,
      sku: `LATE-${id.slice(0, 8)}`,
      name: 'Campaign late commit',
      brand: 'Koru',
      price: { amountMinor: 4200, currency: 'EUR' },
    }),
    {
      correlationId: null,
      beforeCommit: async (client) => {
        const { rows } = await client.query<{ id: string }>(
          'SELECT id FROM outbox WHERE aggregate_id = $1',
          [id],
        );
        const outboxId = rows[0]?.id;
        if (outboxId === undefined) throw new Error(`no outbox row for product ${id}`);
        held(outboxId);
        await gate;
      },
    },
  );
  const outboxId = await Promise.race([holding, command.then(() => undefined)]);
  if (outboxId === undefined) throw new Error('the late command committed before it was held');
  let relayedPast = 0;
  try {
    await waitFor(
      `${past} later events relayed past outbox id ${outboxId}`,
      async () => {
        const { rows } = await pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM outbox WHERE id > $1 AND published_at IS NOT NULL',
          [outboxId],
        );
        relayedPast = Number(rows[0]?.n);
        return relayedPast >= past ? true : undefined;
      },
      deadlineMs,
      100,
    );
  } finally {
    // Whatever happened, the transaction is not left open.
    release();
  }
  const outcome = await command;
  return {
    ack: { id, version: outcome.product.version, kind: 'create', at: Date.now() },
    outboxId,
    relayedPast,
  };
}
