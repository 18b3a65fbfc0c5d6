import t from 'tap';
import { buildSuggestBody, escapeHtml, mapSuggestResponse } from './suggest.js';

t.test('The suggest body: every word, the last as a prefix, published only', async (t) => {
  t.strictSame(buildSuggestBody('trail Ru', 8, false), {
    size: 8,
    _source: ['id', 'name'],
    query: {
      bool: {
        filter: [{ term: { visible: true } }],
        must: [
          {
            multi_match: {
              query: 'trail Ru',
              type: 'bool_prefix',
              fields: ['name.suggest', 'name.suggest._2gram', 'name.suggest._3gram'],
              operator: 'and',
            },
          },
        ],
      },
    },
    sort: [{ _score: 'desc' }, { id: 'asc' }],
    highlight: {
      pre_tags: ['<em>'],
      post_tags: ['</em>'],
      encoder: 'html',
      fields: {
        name: {
          number_of_fragments: 0,
          highlight_query: {
            bool: {
              should: [
                { match: { name: { query: 'trail Ru' } } },
                { prefix: { name: { value: 'ru' } } },
              ],
            },
          },
        },
      },
    },
  });
});

const fuzzyPrefix = { fuzziness: 'AUTO:4,8', prefix_length: 1, max_expansions: 20 };

t.test('The fallback body tolerates typos in every word', async (t) => {
  const fuzzy = { fuzziness: 'AUTO', prefix_length: 1, max_expansions: 10 };
  t.strictSame(buildSuggestBody('runnning Sché', 5, true)['query'], {
    bool: {
      filter: [{ term: { visible: true } }],
      must: [
        {
          bool: {
            should: [
              {
                multi_match: {
                  query: 'runnning Sché',
                  type: 'bool_prefix',
                  fields: ['name.suggest', 'name.suggest._2gram', 'name.suggest._3gram'],
                  operator: 'and',
                  ...fuzzy,
                },
              },
              { match: { 'name.suggest': { query: 'runnning Sché', operator: 'and', ...fuzzy } } },
              {
                bool: {
                  must: [
                    { match: { 'name.suggest': { query: 'runnning', operator: 'and', ...fuzzy } } },
                    { fuzzy: { 'name.suggest._index_prefix': { value: 'sche', ...fuzzyPrefix } } },
                  ],
                },
              },
            ],
            minimum_should_match: 1,
          },
        },
      ],
    },
  });
  t.match(buildSuggestBody('runnning Sché', 5, true)['highlight'], {
    fields: {
      name: {
        highlight_query: { bool: { should: [{}, { prefix: { name: { value: 'sche' } } }] } },
      },
    },
  });
});

t.test('The fallback body tolerates a typo in the one word being typed', async (t) => {
  const query = buildSuggestBody('Swaet', 8, true)['query'] as {
    bool: { must: [{ bool: { should: unknown[] } }] };
  };
  t.strictSame(query.bool.must[0].bool.should[2], {
    fuzzy: { 'name.suggest._index_prefix': { value: 'swaet', ...fuzzyPrefix } },
  });
});

t.test('Suggestions carry an HTML-safe highlight even when the engine gave none', async (t) => {
  t.strictSame(
    mapSuggestResponse({
      took: 1,
      hits: {
        total: { value: 2, relation: 'eq' },
        hits: [
          {
            _id: 'a',
            _score: 2,
            _source: { id: 'a', name: 'Trail shoe' },
            highlight: { name: ['<em>Trail</em> shoe'] },
          },
          { _id: 'b', _score: 1, _source: { id: 'b', name: 'Tom & <Jerry>' } },
        ],
      },
    }),
    {
      suggestions: [
        { id: 'a', name: 'Trail shoe', highlight: '<em>Trail</em> shoe' },
        { id: 'b', name: 'Tom & <Jerry>', highlight: 'Tom &amp; &lt;Jerry&gt;' },
      ],
    },
  );
  t.equal(escapeHtml(`"it's" a/b`), '&quot;it&#x27;s&quot; a&#x2F;b');
});
