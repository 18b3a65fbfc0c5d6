import { ruleLimits } from '../../../shared/write-model/merchandising/decide-rules.js';
import { synonymLimits } from '../../../shared/write-model/merchandising/decide-synonyms.js';

/** The synonym set in and out: Solr-format lines, comments and blank lines kept as sent. */
const lines = {
  type: 'array',
  maxItems: synonymLimits.linesMax,
  description:
    'Solr-format lines: `a, b, c` (equivalent terms), `a, b => c` (one way), blank or `#` lines. ' +
    'A malformed line is a 400 whose errors name it by its number, counted from 1.',
  items: { type: 'string', maxLength: synonymLimits.lineCharsMax },
} as const;

export const synonymsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lines'],
  properties: { lines },
} as const;

export const synonymsResponse = {
  type: 'object',
  required: ['version', 'lines'],
  properties: {
    version: {
      type: 'integer',
      minimum: 0,
      description: 'the stored version; 0 while no set was stored yet (the initial file is shown)',
    },
    lines: { type: 'array', items: { type: 'string' } },
  },
} as const;

const productIds = (max: number, does: string) =>
  ({
    type: 'array',
    maxItems: max,
    uniqueItems: true,
    description: `product ids to ${does}; existing, not deleted products`,
    items: { type: 'string', format: 'uuid' },
  }) as const;

const instant = (description: string) =>
  ({ type: ['string', 'null'], format: 'date-time', description }) as const;

/** The writable fields of a rule (create body; a patch takes any of them). */
export const ruleFields = {
  query: {
    type: 'string',
    minLength: 1,
    maxLength: ruleLimits.queryMax,
    description: 'compared with the normalized search query (case, accents, punctuation ignored)',
  },
  match: {
    type: 'string',
    enum: ['exact', 'phrase'],
    description: 'exact: the query equals `query`; phrase: the query contains its words in order',
  },
  pin: productIds(ruleLimits.pinMax, 'put first on page 1, in this order'),
  hide: productIds(ruleLimits.hideMax, 'leave out of the results'),
  activeFrom: instant('the rule applies from this instant on (none: already)'),
  activeTo: instant('the rule applies until this instant, exclusive (none: for ever)'),
} as const;

/** A create: pin and hide default to none (a rule needs one of them not empty). */
export const ruleCreateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['query', 'match'],
  properties: {
    ...ruleFields,
    pin: { ...ruleFields.pin, default: [] },
    hide: { ...ruleFields.hide, default: [] },
  },
} as const;

/** A patch: any of the fields; `null` clears an active time, an absent field stays as it is. */
export const rulePatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: ruleFields,
} as const;

const storedRule = {
  id: { type: 'string' },
  version: { type: 'integer' },
  query: { type: 'string' },
  match: { type: 'string', enum: ['exact', 'phrase'] },
  pin: { type: 'array', items: { type: 'string' } },
  hide: { type: 'array', items: { type: 'string' } },
  activeFrom: { type: ['string', 'null'], format: 'date-time' },
  activeTo: { type: ['string', 'null'], format: 'date-time' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

export const ruleResponse = {
  type: 'object',
  required: Object.keys(storedRule),
  properties: storedRule,
} as const;

export const ruleListResponse = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      description: 'every live rule as stored, the most recently changed first',
      items: ruleResponse,
    },
  },
} as const;
