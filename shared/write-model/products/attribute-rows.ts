/**
 * Attributes as rows (product_attributes, variant_attributes): one row per attribute, exactly one
 * value column set by kind, position keeping the client's order. Shared by products and variants.
 */
import type { AttributeValue } from '../../events/catalog-events.js';
import type { PoolClient } from '../../stores/postgres.js';

/** How an attribute row comes back inside a json_agg. */
export interface AttributeRow {
  name: string;
  kind: 'text' | 'list' | 'number';
  t: string | null;
  l: string[] | null;
  n: number | null;
}

/** The json_agg expression of an owner's attributes, in position order. */
export const attributesJson = (table: string, ownerColumn: string, owner: string): string =>
  `(SELECT json_agg(json_build_object('name', a.name, 'kind', a.kind, 't', a.text_value,
                                      'l', a.list_value, 'n', a.number_value)
                    ORDER BY a.position)
      FROM ${table} a WHERE a.${ownerColumn} = ${owner})`;

export function attributesOf(rows: readonly AttributeRow[] | null): Record<string, AttributeValue> {
  return Object.fromEntries((rows ?? []).map((a) => [a.name, attributeValue(a)]));
}

function attributeValue(a: AttributeRow): AttributeValue {
  if (a.kind === 'number') return a.n ?? 0;
  if (a.kind === 'list') return a.l ?? [];
  return a.t ?? '';
}

export interface AttributeOwner {
  readonly id: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * Inserts the attributes of several owners in one statement. `table` and `ownerColumn` are
 * constants of the calling module, never input.
 */
export async function insertAttributes(
  client: PoolClient,
  table: 'product_attributes' | 'variant_attributes',
  ownerColumn: 'product_id' | 'variant_id',
  owners: readonly AttributeOwner[],
): Promise<void> {
  const rows = owners.flatMap((o) =>
    Object.entries(o.attributes).map(([name, value], position) => ({
      id: o.id,
      name,
      value,
      position,
    })),
  );
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} (${ownerColumn}, name, position, kind, text_value, list_value, number_value)
     SELECT owner, name, position, kind, text_value,
            CASE WHEN kind = 'list' THEN ARRAY(SELECT jsonb_array_elements_text(list_value)) END, number_value
       FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::jsonb[], $7::float8[])
         AS t(owner, name, position, kind, text_value, list_value, number_value)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.name),
      rows.map((r) => r.position),
      rows.map((r) =>
        typeof r.value === 'number' ? 'number' : typeof r.value === 'string' ? 'text' : 'list',
      ),
      rows.map((r) => (typeof r.value === 'string' ? r.value : null)),
      rows.map((r) => (Array.isArray(r.value) ? JSON.stringify(r.value) : null)),
      rows.map((r) => (typeof r.value === 'number' ? r.value : null)),
    ],
  );
}
