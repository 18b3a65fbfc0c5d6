import type { SearchResponseBody } from '../../../stores/search/engine.js';
import { HIGHLIGHT_TAGS, type Json } from './build-search-body.js';

export const suggestLimits = { sizeDefault: 8, sizeMax: 20, qMaxLength: 4_096 } as const;

const SUGGEST_FIELDS = ['name.suggest', 'name.suggest._2gram', 'name.suggest._3gram'];
const FUZZY = { fuzziness: 'AUTO', prefix_length: 1, max_expansions: 10 } as const;
/**
 * A typo in the word being typed: its prefix, fuzzy, against the prefixes search_as_you_type
 * indexes (name.suggest._index_prefix holds every word start: "s", "sw", "swe", ...). AUTO:4,8:
 * no edit below 4 typed characters (too many prefixes would match), one up to 7, then two.
 */
const FUZZY_PREFIX = { fuzziness: 'AUTO:4,8', prefix_length: 1, max_expansions: 20 } as const;

/** The last word as name.suggest indexes it (lower case, accents folded): prefix is not analyzed. */
function foldedLastWord(text: string): string {
  const last = text.slice(text.lastIndexOf(' ') + 1);
  return last.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * As-you-type suggestions over name.suggest (search_as_you_type): every word but the last must
 * match, the last one as a prefix (bool_prefix). The fallback body, sent when the first finds
 * nothing, adds typo tolerance: fuzzy words before the last with the last as an exact prefix, the
 * whole text as fuzzy complete words (a typo in a finished last word), or fuzzy words before the
 * last with the last as a fuzzy prefix (a typo in the word being typed: "crew swaet").
 * Published products only.
 */
export function buildSuggestBody(text: string, size: number, fuzzy: boolean): Json {
  const prefix = {
    multi_match: {
      query: text,
      type: 'bool_prefix',
      fields: SUGGEST_FIELDS,
      operator: 'and',
      ...(fuzzy ? FUZZY : {}),
    },
  };
  const match = fuzzy
    ? {
        bool: {
          should: [
            prefix,
            {
              match: {
                'name.suggest': { query: text, operator: 'and', ...FUZZY },
              },
            },
            typoInLastWord(text),
          ],
          minimum_should_match: 1,
        },
      }
    : prefix;
  return {
    size,
    _source: ['id', 'name'],
    query: { bool: { filter: [{ term: { visible: true } }], must: [match] } },
    sort: [{ _score: 'desc' }, { id: 'asc' }],
    highlight: {
      pre_tags: [HIGHLIGHT_TAGS.pre],
      post_tags: [HIGHLIGHT_TAGS.post],
      encoder: 'html',
      fields: {
        name: {
          number_of_fragments: 0,
          // The main query matches the last word on a hidden prefix subfield of name.suggest,
          // which the highlighter does not map back to the name; this query marks the same
          // words on the name itself.
          highlight_query: {
            bool: {
              should: [
                { match: { name: { query: text, ...(fuzzy ? FUZZY : {}) } } },
                { prefix: { name: { value: foldedLastWord(text) } } },
              ],
            },
          },
        },
      },
    },
  };
}

/** Fuzzy complete words before the last, and the last as a fuzzy prefix. */
function typoInLastWord(text: string): Json {
  const before = text.slice(0, Math.max(text.lastIndexOf(' '), 0));
  const lastPrefix = {
    fuzzy: { 'name.suggest._index_prefix': { value: foldedLastWord(text), ...FUZZY_PREFIX } },
  };
  if (before === '') return lastPrefix;
  return {
    bool: {
      must: [
        { match: { 'name.suggest': { query: before, operator: 'and', ...FUZZY } } },
        lastPrefix,
      ],
    },
  };
}

export interface Suggestion {
  readonly id: string;
  readonly name: string;
  /** The name, HTML-escaped, with the matched parts in <em></em>. */
  readonly highlight: string;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '/': '&#x2F;',
};

/** The same escaping as the engine's html highlight encoder, for names it did not highlight. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"'/]/g, (c) => ENTITIES[c] ?? c);

export function mapSuggestResponse(raw: SearchResponseBody): { suggestions: Suggestion[] } {
  return {
    suggestions: raw.hits.hits.map((hit) => {
      const stored = hit._source?.['name'];
      const name = typeof stored === 'string' ? stored : '';
      return {
        id: typeof hit._source?.['id'] === 'string' ? hit._source['id'] : hit._id,
        name,
        highlight: hit.highlight?.['name']?.[0] ?? escapeHtml(name),
      };
    }),
  };
}

export const suggestQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      maxLength: suggestLimits.qMaxLength,
      description: 'What was typed so far (the last word counts as a prefix)',
    },
    size: {
      type: 'integer',
      minimum: 1,
      maximum: suggestLimits.sizeMax,
      default: suggestLimits.sizeDefault,
    },
  },
} as const;

export const suggestResponseSchema = {
  type: 'object',
  required: ['suggestions'],
  properties: {
    suggestions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'highlight'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          highlight: { type: 'string', description: 'HTML-escaped name, matches in <em></em>' },
        },
      },
    },
  },
} as const;
