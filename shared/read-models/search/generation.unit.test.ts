import { readFile } from 'node:fs/promises';
import t from 'tap';
import { projectPath } from '../../paths.js';
import { SEARCH_REFRESH_INTERVAL_MS } from './generation.js';

t.test('The refresh interval the search cache counts on is the template’s', async (t) => {
  const template = JSON.parse(
    await readFile(
      projectPath('shared', 'read-models', 'search', 'products.template.json'),
      'utf8',
    ),
  ) as { settings?: { index?: { refresh_interval?: string }; refresh_interval?: string } };
  const raw = template.settings?.index?.refresh_interval ?? template.settings?.refresh_interval;
  t.equal(raw, `${SEARCH_REFRESH_INTERVAL_MS}ms`);
});
