import { intervals, productMetrics } from '../../shared/read-models/analytics/queries.js';
import { windowRules } from '../../shared/read-models/analytics/window.js';

export type { Interval, ProductMetric } from '../../shared/read-models/analytics/queries.js';

export const limits = { defaultLimit: 10, maxLimit: 100 } as const;

const dateTime = (description: string) =>
  ({ type: 'string', format: 'date-time', maxLength: 64, description }) as const;

const windowProperties = {
  from: dateTime(
    `start of the window, inclusive (ISO-8601 with offset); default: ${windowRules.defaultDays} days before to`,
  ),
  to: dateTime('end of the window, exclusive (ISO-8601 with offset); default: now'),
} as const;

const limit = {
  type: 'integer',
  minimum: 1,
  maximum: limits.maxLimit,
  default: limits.defaultLimit,
  description: 'how many rows at most',
} as const;

const windowDescription = `Times are UTC; the window is at most ${windowRules.maxDays} days.`;

export const windowQuery = {
  type: 'object',
  additionalProperties: false,
  description: windowDescription,
  properties: windowProperties,
} as const;

export const rankedQuery = {
  type: 'object',
  additionalProperties: false,
  description: windowDescription,
  properties: { ...windowProperties, limit },
} as const;

export const topProductsQuery = {
  type: 'object',
  additionalProperties: false,
  description: windowDescription,
  properties: {
    metric: { type: 'string', enum: productMetrics, default: 'views' },
    ...windowProperties,
    limit,
  },
} as const;

export const changesQuery = {
  type: 'object',
  additionalProperties: false,
  description: `${windowDescription} Hourly buckets: at most ${windowRules.maxHourlyDays} days.`,
  properties: {
    interval: { type: 'string', enum: intervals, default: 'hour' },
    ...windowProperties,
  },
} as const;

/**
 * A UUID in its canonical 8-4-4-4-12 form only (the `uuid` format also takes `urn:uuid:…`,
 * which ClickHouse would not parse).
 */
const uuidOf = (description: string) =>
  ({
    type: 'string',
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    description,
  }) as const;

export const productIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: uuidOf('product id (UUID)') },
} as const;

/** A price or stock history: the window, and optionally one variant. */
export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  description: `${windowDescription} With variantId, only that variant's rows.`,
  properties: {
    ...windowProperties,
    variantId: uuidOf('only the rows of this variant (UUID)'),
  },
} as const;

const variantIdProperty = {
  type: ['string', 'null'],
  description: 'the variant the row is about; null for the product itself (no variants)',
} as const;

const isoTime = { type: 'string', format: 'date-time', description: 'UTC, ISO-8601' } as const;

const listOf = (required: readonly string[], properties: Record<string, unknown>) =>
  ({
    type: 'array',
    items: { type: 'object', required, additionalProperties: false, properties },
  }) as const;

export const topProductsResponse = listOf(['productId', 'views'], {
  productId: { type: 'string', format: 'uuid' },
  views: { type: 'integer', description: 'views in the window, each counted once' },
});

/** What merchandising does for a query now (shared/read-models/merchandising/coverage.ts). */
const coverage = {
  type: 'object',
  required: ['covered', 'synonyms', 'rules'],
  description:
    'What search merchandising does for this query now: covered is true when a synonym expands it or a query rule pins products for it',
  properties: {
    covered: { type: 'boolean' },
    synonyms: {
      type: 'array',
      items: { type: 'string' },
      description: 'the queries the synonym set also searches for it',
    },
    rules: {
      type: 'array',
      description: 'the query rules that apply to it now, most specific first',
      items: {
        type: 'object',
        required: ['id', 'version', 'pins', 'hides'],
        properties: {
          id: { type: 'string' },
          version: { type: 'integer' },
          pins: { type: 'integer', description: 'products the rule pins' },
          hides: { type: 'integer', description: 'products the rule hides' },
        },
      },
    },
  },
} as const;

export const topSearchesResponse = listOf(['query', 'searches', 'avgResults', 'coverage'], {
  query: { type: 'string', description: 'the normalized query' },
  searches: { type: 'integer' },
  avgResults: { type: 'number', description: 'mean result count of those searches' },
  coverage,
});

export const zeroResultsResponse = listOf(['query', 'searches', 'lastSearchedAt', 'coverage'], {
  query: { type: 'string', description: 'the normalized query' },
  searches: { type: 'integer' },
  lastSearchedAt: isoTime,
  coverage,
});

export const priceHistoryResponse = listOf(
  ['at', 'amountMinor', 'currency', 'version', 'variantId'],
  {
    at: isoTime,
    amountMinor: { type: 'integer', description: 'price after the change, minor units' },
    currency: { type: 'string', description: 'ISO 4217' },
    version: { type: 'integer', description: 'product version of the change' },
    variantId: variantIdProperty,
  },
);

export const stockHistoryResponse = listOf(
  ['at', 'warehouse', 'delta', 'available', 'reason', 'version', 'variantId'],
  {
    at: isoTime,
    warehouse: { type: ['string', 'null'] },
    delta: { type: 'integer', description: 'units added (positive) or removed (negative)' },
    available: {
      type: ['integer', 'null'],
      description:
        'available stock across warehouses after the movement, of the variant (variantId) or else the product',
    },
    reason: { type: ['string', 'null'] },
    version: { type: 'integer', description: 'product version of the movement' },
    variantId: variantIdProperty,
  },
);

export const changesResponse = listOf(['bucket', 'eventType', 'changes'], {
  bucket: { ...isoTime, description: 'start of the hour or day (UTC)' },
  eventType: { type: 'string' },
  changes: { type: 'integer', description: 'distinct events of that type in the bucket' },
});
