import t from 'tap';
import { assertNever } from './assert-never.js';

type Flavour = 'opensearch' | 'elasticsearch';

function label(flavour: Flavour): string {
  switch (flavour) {
    case 'opensearch':
      return 'OpenSearch';
    case 'elasticsearch':
      return 'Elasticsearch';
    default:
      return assertNever(flavour, 'search engine');
  }
}

t.test('An unhandled value reaching assertNever fails with the value', async (t) => {
  t.equal(label('opensearch'), 'OpenSearch');
  t.throws(() => label('solr' as Flavour), { message: 'unexpected search engine: "solr"' });
  t.throws(() => assertNever({ kind: 'x' } as never), {
    message: 'unexpected value: {"kind":"x"}',
  });
  t.throws(() => assertNever(undefined as never), { message: 'unexpected value: undefined' });
  t.throws(() => assertNever(10n as never), { message: 'unexpected value: 10' });
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  t.throws(() => assertNever(cycle as never), { message: 'unexpected value: [object Object]' });
});
