// Aisle's demo storefront: one module, no framework, no build step. It reads only the public
// routes /v1/search, /v1/suggest, /v1/products/:id and /v1/categories. All state is in the URL:
// the query string holds the search (the API's own parameter names), the hash the product page.

const PAGE_SIZE = 24;
/** /v1/search serves `page` while page * size <= 1000; deeper pages need `cursor`. */
const PAGE_DEPTH = 1000;
const SUGGEST_DELAY_MS = 150;
const SORTS = ['relevance', 'newest', 'price_asc', 'price_desc'];
const LOCALE = document.documentElement.lang || 'en';

const $ = (id) => document.getElementById(id);

/** An element with attributes (`on*` are listeners) and children (strings become text nodes). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) el.append(child);
  }
  return el;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeEntities = (text) =>
  text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, code) => {
    if (code[0] !== '#') return ENTITIES[code.toLowerCase()] ?? whole;
    const n =
      code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1));
    return n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });

/**
 * The API's highlight (HTML-escaped text, matches in <em></em>) as nodes: only <em> becomes an
 * element (a <mark>); everything else is decoded and inserted as text, never parsed as HTML.
 */
function highlighted(html, plain) {
  if (typeof html !== 'string' || html === '') return [plain];
  const nodes = [];
  let marked = false;
  for (const part of html.split(/(<\/?em>)/)) {
    if (part === '<em>' || part === '</em>') marked = part === '<em>';
    else if (part !== '')
      nodes.push(marked ? h('mark', {}, decodeEntities(part)) : decodeEntities(part));
  }
  return nodes;
}

function fractionDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
  } catch {
    return 2;
  }
}

function formatMoney(amountMinor, currency, whole = false) {
  const digits = fractionDigits(currency);
  const amount = amountMinor / 10 ** digits;
  try {
    const rounding = whole && Number.isInteger(amount) ? { minimumFractionDigits: 0 } : {};
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency, ...rounding }).format(
      amount,
    );
  } catch {
    return `${amount.toFixed(digits)} ${currency}`;
  }
}

const money = (price, id) =>
  h(
    'span',
    { class: 'price', id, 'data-amount-minor': price.amountMinor, 'data-currency': price.currency },
    formatMoney(price.amountMinor, price.currency),
  );

const titleOf = (name) => (name.charAt(0).toUpperCase() + name.slice(1)).replaceAll('_', ' ');

// ---- URL state ------------------------------------------------------------------------------

function readState(search) {
  const params = new URLSearchParams(search);
  const int = (name) => {
    const value = params.get(name);
    return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  };
  const attrs = {};
  for (const [key, value] of params) {
    const name = /^attr\.([a-z][a-z0-9_]{0,63})$/.exec(key)?.[1];
    if (name && !(attrs[name] ??= []).includes(value)) attrs[name].push(value);
  }
  const size = Math.min(Math.max(int('size') ?? PAGE_SIZE, 1), 100);
  const cursor = params.get('cursor') ?? '';
  let page = Math.max(int('page') ?? 1, 1);
  if (cursor === '') page = Math.min(page, Math.floor(PAGE_DEPTH / size));
  return {
    q: (params.get('q') ?? '').trim(),
    category: params.get('category') ?? '',
    brands: [...new Set(params.getAll('brand'))],
    attrs,
    priceMin: int('price_min'),
    priceMax: int('price_max'),
    inStock: params.get('in_stock') === 'true',
    sort: SORTS.includes(params.get('sort')) ? params.get('sort') : '',
    size,
    page,
    cursor,
  };
}

/** Query parameters of a state; for the API, `page` is left out on cursor pages (display only). */
function toParams(state, forApi) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.category) p.set('category', state.category);
  for (const brand of state.brands) p.append('brand', brand);
  if (state.priceMin !== undefined) p.set('price_min', state.priceMin);
  if (state.priceMax !== undefined) p.set('price_max', state.priceMax);
  if (state.inStock) p.set('in_stock', 'true');
  for (const name of Object.keys(state.attrs).sort()) {
    for (const value of state.attrs[name]) p.append(`attr.${name}`, value);
  }
  if (state.sort) p.set('sort', state.sort);
  if (forApi || state.size !== PAGE_SIZE) p.set('size', state.size);
  if (state.cursor) p.set('cursor', state.cursor);
  if (state.page > 1 && !(forApi && state.cursor)) p.set('page', state.page);
  return p;
}

const searchUrl = (state) => `/?${toParams(state, false)}`.replace(/\?$/, '');
/** A change of filters or sort starts again at page 1 (a cursor belongs to one search). */
const refine = (state, change) => ({ ...state, ...change, page: 1, cursor: '' });
const hasFilters = (s) =>
  Boolean(s.category || s.brands.length || s.inStock || s.priceMin !== undefined) ||
  s.priceMax !== undefined ||
  Object.values(s.attrs).some((values) => values.length > 0);

// ---- data -----------------------------------------------------------------------------------

async function getJson(url, signal) {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(body.detail ?? body.title ?? `HTTP ${response.status}`), {
      status: response.status,
    });
  }
  return body;
}

let categoriesLoaded;
/** Category id → { name, path }, from /v1/categories once; empty (and retried) on failure. */
function categories() {
  categoriesLoaded ??= getJson('/v1/categories').then(
    (body) => {
      const byId = new Map();
      const walk = (nodes, trail) => {
        for (const node of nodes) {
          byId.set(node.id, { name: node.name, path: [...trail, node.name].join(' › ') });
          walk(node.children ?? [], [...trail, node.name]);
        }
      };
      walk(body.categories ?? [], []);
      return byId;
    },
    () => {
      categoriesLoaded = undefined;
      return new Map();
    },
  );
  return categoriesLoaded;
}

// ---- routing --------------------------------------------------------------------------------

let routed = '';
let inFlight = new AbortController();

function go(url) {
  history.pushState({ app: true }, '', url);
  route();
}

function route() {
  if (location.href === routed) return;
  routed = location.href;
  inFlight.abort();
  inFlight = new AbortController();
  const state = readState(location.search);
  if (document.activeElement !== $('q')) $('q').value = state.q;
  const product = /^#\/product\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  $('search-view').hidden = Boolean(product);
  $('product-view').hidden = !product;
  if (product) void showProduct(decodeURIComponent(product[1]), product[2] ?? '', state);
  else void showSearch(state);
}

/** Re-renders `container` with `render` and puts focus back on the control that had it. */
function keepingFocus(container, render) {
  const key = document.activeElement?.dataset?.key;
  render();
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

// ---- search page ----------------------------------------------------------------------------

async function showSearch(state) {
  const { signal } = inFlight;
  document.title = state.q ? `${state.q} — Aisle` : 'Aisle — demo storefront';
  $('sort').value = state.sort || (state.q ? 'relevance' : 'newest');
  $('main').setAttribute('aria-busy', 'true');
  try {
    const [result, names] = await Promise.all([
      getJson(`/v1/search?${toParams(state, true)}`, signal),
      categories(),
    ]);
    $('error').hidden = true;
    renderCount(state, result.total);
    $('results').replaceChildren(...result.items.map((item) => card(item, names)));
    if (result.items.length === 0) $('results').append(noResults(state));
    keepingFocus($('facets'), () => renderFacets(state, result, names));
    renderPager(state, result);
  } catch (error) {
    if (signal.aborted) return;
    $('error').textContent = `The search failed: ${error.message}`;
    $('error').hidden = false;
    $('count').textContent = 'No results';
    delete $('count').dataset.total;
    for (const id of ['results', 'facets', 'pager']) $(id).replaceChildren();
  } finally {
    if (!signal.aborted) $('main').removeAttribute('aria-busy');
  }
}

function renderCount(state, total) {
  const text = `${total.toLocaleString(LOCALE)} ${total === 1 ? 'product' : 'products'}`;
  $('count').textContent = state.q ? `${text} for “${state.q}”` : text;
  $('count').dataset.total = String(total);
  $('status').textContent = $('count').textContent;
}

const noResults = (state) =>
  h(
    'li',
    { class: 'empty' },
    'Nothing matches. Try other words',
    hasFilters(state)
      ? [
          ' or ',
          h('a', { href: searchUrl(emptyState(state)), 'data-nav': true }, 'clear the filters'),
        ]
      : '',
    '.',
  );

const emptyState = (state) => ({ ...readState(''), q: state.q, size: state.size });

/** A product's picture, or a tinted tile with its initial when there is none or it fails. */
function picture(src, name, cls) {
  const tile = () => {
    const el = h('div', { class: `${cls} tile`, 'aria-hidden': 'true' }, name.charAt(0));
    let hue = 0;
    for (const c of name) hue = (hue * 31 + c.charCodeAt(0)) % 360;
    el.style.setProperty('--hue', String(hue));
    return el;
  };
  if (!src) return tile();
  const img = h('img', { class: cls, src, alt: '', loading: 'lazy', decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(tile()), { once: true });
  return img;
}

/** "from €119.00" when the variants of a product differ in price. */
function cardPrice(item) {
  if (!item.price) return h('span', { class: 'price' }, '—');
  const range = item.priceRange;
  const from = item.variantCount > 0 && range && range.min !== range.max;
  return from
    ? h('span', {}, h('span', { class: 'from' }, 'from '), money(item.price))
    : money(item.price);
}

function card(item, names) {
  const category = item.category ? names.get(item.category)?.name : undefined;
  const variants = item.variantCount > 0 ? `${item.variantCount} options` : undefined;
  // Filters on options narrowed the variants: open the product on one that matches them.
  const matched = item.matchedVariants ?? [];
  const variant = matched.length > 0 && matched.length < item.variantCount ? matched[0] : undefined;
  const href = `#/product/${encodeURIComponent(item.id)}${variant ? `?variant=${encodeURIComponent(variant)}` : ''}`;
  return h(
    'li',
    { class: 'card', 'data-id': item.id },
    h(
      'a',
      { class: 'card-link', href },
      picture(item.image, item.name, 'thumb'),
      h('h2', { class: 'card-name' }, highlighted(item.highlight?.name, item.name)),
    ),
    h('p', { class: 'card-meta' }, [item.brand, category, variants].filter(Boolean).join(' · ')),
    item.highlight?.description
      ? h('p', { class: 'snippet' }, '…', highlighted(item.highlight.description, ''), '…')
      : '',
    h(
      'p',
      { class: 'card-buy' },
      cardPrice(item),
      h(
        'span',
        { class: item.inStock ? 'stock in' : 'stock out' },
        item.inStock ? 'In stock' : 'Out of stock',
      ),
    ),
  );
}

// ---- facets ---------------------------------------------------------------------------------

function choice({ type, name, key, label, count, checked, onchange, title }) {
  return h(
    'li',
    { title },
    h(
      'label',
      { class: 'choice' },
      h('input', { type, name, value: key, 'data-key': key, checked, onchange }),
      h('span', { class: 'choice-label' }, label),
      count === undefined ? '' : h('span', { class: 'facet-count' }, count.toLocaleString(LOCALE)),
    ),
  );
}

function group(title, cut, items) {
  if (items.length === 0) return '';
  return h(
    'fieldset',
    { class: 'facet' },
    h('legend', {}, title),
    h('ul', { class: 'facet-values' }, items),
    cut ? h('p', { class: 'note' }, 'Only the most frequent are listed; search to narrow.') : '',
  );
}

/** Checkboxes of one repeatable parameter: any of the ticked values (disjunctive). */
function checkboxes(state, { title, param, buckets, selected, cut, toChange }) {
  const shown = [...buckets];
  for (const value of selected) {
    if (!shown.some((b) => b.value === value)) shown.push({ value, count: 0 });
  }
  const items = shown.map(({ value, count }) =>
    choice({
      type: 'checkbox',
      name: param,
      key: `${param}=${value}`,
      label: value,
      count,
      checked: selected.includes(value),
      onchange: (e) => {
        const next = e.target.checked ? [...selected, value] : selected.filter((v) => v !== value);
        go(searchUrl(refine(state, toChange(next))));
      },
    }),
  );
  return group(title, cut, items);
}

function priceLabel({ from, to }, currency) {
  const fmt = (minor) => (currency ? formatMoney(minor, currency, true) : String(minor / 100));
  if (to === null) return `${fmt(from)} and up`;
  return from === 0 ? `Under ${fmt(to)}` : `${fmt(from)} – ${fmt(to)}`;
}

/** One price range at a time (the API takes one price_min/price_max); `to` is exclusive. */
function priceFacet(state, buckets, currency) {
  const maxOf = (bucket) => (bucket.to === null ? undefined : bucket.to - 1);
  const isChosen = (b) => state.priceMin === b.from && state.priceMax === maxOf(b);
  const any = state.priceMin === undefined && state.priceMax === undefined;
  const pick = (priceMin, priceMax) => () => go(searchUrl(refine(state, { priceMin, priceMax })));
  const radio = (key, label, count, checked, onchange) =>
    choice({ type: 'radio', name: 'price', key, label, count, checked, onchange });
  const items = [radio('price=any', 'Any price', undefined, any, pick())];
  for (const b of buckets) {
    if (b.count === 0 && !isChosen(b)) continue;
    items.push(
      radio(
        `price=${b.from}`,
        priceLabel(b, currency),
        b.count,
        isChosen(b),
        pick(b.from, maxOf(b)),
      ),
    );
  }
  if (!any && !buckets.some(isChosen)) {
    const to = state.priceMax === undefined ? null : state.priceMax + 1;
    const label = priceLabel({ from: state.priceMin ?? 0, to }, currency);
    items.push(radio('price=custom', label, undefined, true, () => undefined));
  }
  return group('Price', false, items);
}

/** One category at a time (the API takes one; it includes the category's descendants). */
function categoryFacet(state, buckets, names, cut) {
  const radio = (value, label, count) =>
    choice({
      type: 'radio',
      name: 'category',
      key: `category=${value}`,
      label,
      count,
      checked: state.category === value,
      title: names.get(value)?.path,
      onchange: () => go(searchUrl(refine(state, { category: value }))),
    });
  const items = buckets.map(({ value, count }) =>
    radio(value, names.get(value)?.name ?? value, count),
  );
  if (state.category && !buckets.some((b) => b.value === state.category)) {
    items.unshift(radio(state.category, names.get(state.category)?.name ?? state.category));
  }
  if (items.length === 0) return '';
  return group('Category', cut, [radio('', 'All categories'), ...items]);
}

function renderFacets(state, result, names) {
  const { facets } = result;
  const cut = new Set(facets.truncated ?? []);
  const currency = result.items.find((item) => item.price)?.price.currency;
  const inStock = facets.inStock.find((b) => b.value === true)?.count ?? 0;
  const attributeNames = Object.keys(facets.attributes);
  for (const name of Object.keys(state.attrs)) {
    if (!attributeNames.includes(name)) attributeNames.push(name);
  }
  const stock = choice({
    type: 'checkbox',
    name: 'in_stock',
    key: 'in_stock=true',
    label: 'In stock only',
    count: inStock,
    checked: state.inStock,
    onchange: (e) => go(searchUrl(refine(state, { inStock: e.target.checked }))),
  });
  const groups = [
    hasFilters(state)
      ? h(
          'a',
          { class: 'clear', href: searchUrl(emptyState(state)), 'data-nav': true },
          'Clear all filters',
        )
      : '',
    group('Availability', false, [stock]),
    categoryFacet(state, facets.category, names, cut.has('category')),
    checkboxes(state, {
      title: 'Brand',
      param: 'brand',
      buckets: facets.brand,
      selected: state.brands,
      cut: cut.has('brand'),
      toChange: (brands) => ({ brands }),
    }),
    priceFacet(state, facets.price, currency),
    attributeNames.map((name) =>
      checkboxes(state, {
        title: titleOf(name),
        param: `attr.${name}`,
        buckets: facets.attributes[name] ?? [],
        selected: state.attrs[name] ?? [],
        cut: cut.has(`attr.${name}`),
        toChange: (values) => ({ attrs: { ...state.attrs, [name]: values } }),
      }),
    ),
    cut.has('attributes')
      ? h('p', { class: 'note' }, 'More attributes exist than are listed.')
      : '',
  ];
  $('facets').replaceChildren(...groups.flat().filter((g) => g !== ''));
}

// ---- paging ---------------------------------------------------------------------------------

/** Numbered pages while /v1/search allows them, then Next follows `nextCursor`. */
function renderPager(state, result) {
  const deepest = Math.floor(PAGE_DEPTH / state.size);
  const pages = Math.ceil(result.total / state.size);
  const link = (page, label, extra = {}) =>
    h('a', { href: searchUrl({ ...state, page, cursor: '' }), 'data-nav': true, ...extra }, label);
  const items = [];
  if (state.cursor) {
    items.push(
      history.state?.app
        ? h('button', { type: 'button', onclick: () => history.back() }, '‹ Previous')
        : link(1, '« First page'),
      h('span', { class: 'current', 'aria-current': 'page' }, `Page ${state.page}`),
    );
  } else if (pages > 1) {
    if (state.page > 1) items.push(link(state.page - 1, '‹ Previous', { rel: 'prev' }));
    const last = Math.min(pages, deepest);
    const numbers = new Set([1, last]);
    for (let n = state.page - 2; n <= state.page + 2; n++) if (n >= 1 && n <= last) numbers.add(n);
    let previous = 0;
    for (const n of [...numbers].sort((a, b) => a - b)) {
      if (n > previous + 1) items.push(h('span', { class: 'gap' }, '…'));
      items.push(
        n === state.page
          ? h('span', { class: 'current', 'aria-current': 'page' }, String(n))
          : link(n, String(n)),
      );
      previous = n;
    }
  }
  if (result.nextCursor) {
    const next =
      !state.cursor && state.page + 1 <= deepest
        ? { ...state, page: state.page + 1 }
        : { ...state, page: state.page + 1, cursor: result.nextCursor };
    items.push(
      h('a', { href: searchUrl(next), 'data-nav': true, rel: 'next', class: 'next' }, 'Next ›'),
    );
  }
  $('pager').replaceChildren(...items);
}

// ---- product page ---------------------------------------------------------------------------

async function showProduct(id, hashQuery, state) {
  const { signal } = inFlight;
  const view = $('product-view');
  const back = h(
    'a',
    { class: 'back', href: searchUrl(state), 'data-nav': true },
    '‹ Back to results',
  );
  view.replaceChildren(
    h('nav', { class: 'crumbs' }, back),
    h('p', { class: 'loading' }, 'Loading…'),
  );
  try {
    const [product, names] = await Promise.all([
      getJson(`/v1/products/${encodeURIComponent(id)}`, signal),
      categories(),
    ]);
    const category = product.categoryId ? names.get(product.categoryId) : undefined;
    view.replaceChildren(
      h('nav', { class: 'crumbs' }, back, category ? h('span', {}, category.path) : ''),
      productArticle(product, new URLSearchParams(hashQuery).get('variant')),
    );
    document.title = `${product.name} — Aisle`;
    window.scrollTo(0, 0);
    $('product-name').focus({ preventScroll: true });
  } catch (error) {
    if (signal.aborted) return;
    const text =
      error.status === 404
        ? 'This product is not available.'
        : `The product could not be loaded: ${error.message}`;
    view.replaceChildren(
      h('nav', { class: 'crumbs' }, back),
      h('p', { class: 'error', role: 'alert' }, text),
    );
  }
}

function gallery(product) {
  const images = Array.isArray(product.images) ? product.images : [];
  const main = h('div', { class: 'main-image' }, picture(images[0], product.name, 'hero'));
  const thumbs =
    images.length < 2
      ? ''
      : h(
          'ul',
          { class: 'thumbs' },
          images.map((src, i) =>
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Picture ${i + 1}`,
                  onclick: () => main.replaceChildren(picture(src, product.name, 'hero')),
                },
                picture(src, product.name, 'mini'),
              ),
            ),
          ),
        );
  return h('div', { class: 'gallery' }, main, thumbs);
}

function productArticle(product, variantId) {
  const attributes = Object.entries(product.attributes ?? {});
  const box = h('div', { class: 'buy-box' });
  const model = variantModel(product);
  if (model) {
    const start =
      model.variants.find((v) => v.id === variantId) ??
      model.variants.find((v) => v.inStock) ??
      model.variants[0];
    renderBuyBox(box, product, model, complete(model, start.options));
  } else {
    renderBuyBox(box, product, undefined, {});
  }
  return h(
    'article',
    { class: 'product' },
    gallery(product),
    h(
      'div',
      { class: 'details' },
      product.brand ? h('p', { class: 'brand' }, product.brand) : '',
      h('h1', { id: 'product-name', tabindex: '-1' }, product.name),
      box,
      h('p', { class: 'description' }, product.description ?? ''),
      attributes.length === 0
        ? ''
        : h(
            'dl',
            { class: 'attributes' },
            attributes.map(([name, value]) => [
              h('dt', {}, titleOf(name)),
              h('dd', {}, Array.isArray(value) ? value.join(', ') : String(value)),
            ]),
          ),
    ),
  );
}

// ---- variants -------------------------------------------------------------------------------

/** Options and variants when the product has them (`/v1/products/:id` adds both), else nothing. */
function variantModel(product) {
  const options = (Array.isArray(product.options) ? product.options : []).filter(
    (o) => typeof o?.name === 'string' && Array.isArray(o.values) && o.values.length > 0,
  );
  const variants = (Array.isArray(product.variants) ? product.variants : []).filter(
    (v) => v && typeof v.options === 'object' && v.options !== null,
  );
  return options.length > 0 && variants.length > 0 ? { options, variants } : undefined;
}

const matches = (variant, chosen) =>
  Object.entries(chosen).every(([name, value]) => variant.options[name] === value);

/** The values chosen for the options before `index`, and `value` for that option. */
function upTo(model, chosen, index, value) {
  const partial = { [model.options[index].name]: value };
  for (const option of model.options.slice(0, index)) partial[option.name] = chosen[option.name];
  return partial;
}

/** A value is offered when a variant has it together with the values chosen before it. */
const offered = (model, chosen, index, value) =>
  model.variants.some((v) => matches(v, upTo(model, chosen, index, value)));

/** Whether such a variant is also in stock. */
const inStockWith = (model, chosen, index, value) =>
  model.variants.some((v) => v.inStock && matches(v, upTo(model, chosen, index, value)));

/** Each option keeps the wanted value while it is offered, else takes the first offered (in stock first). */
function complete(model, wanted) {
  const chosen = {};
  model.options.forEach((option, i) => {
    const candidates = option.values.filter((value) => offered(model, chosen, i, value));
    const stocked = candidates.filter((value) => inStockWith(model, chosen, i, value));
    const value = wanted[option.name];
    chosen[option.name] = candidates.includes(value) ? value : (stocked[0] ?? candidates[0]);
  });
  return chosen;
}

/** `priceRange` as API.md gives it ({min, max, currency}, minor units); Money ends are read too. */
function rangeText(range, variants) {
  if (!range) return '';
  const end = (x) => (typeof x === 'number' ? { amountMinor: x, currency: range.currency } : x);
  const [min, max] = [end(range.min), end(range.max)];
  if (!min?.currency || !max?.currency || min.amountMinor === max.amountMinor) return '';
  const from = formatMoney(min.amountMinor, min.currency);
  return `${from} – ${formatMoney(max.amountMinor, max.currency)} across ${variants} variants`;
}

function renderBuyBox(box, product, model, chosen) {
  const variant = model?.variants.find((v) => matches(v, chosen));
  const price = variant ? variant.price : product.price;
  const inStock = variant ? variant.inStock === true : product.availability?.inStock === true;
  const available = variant ? undefined : product.availability?.available;
  const pickers = model?.options.map((option, i) =>
    h(
      'fieldset',
      { class: 'option' },
      h('legend', {}, `${titleOf(option.name)}: `, h('strong', {}, chosen[option.name] ?? '—')),
      h(
        'div',
        { class: 'chips' },
        option.values.map((value) => {
          const next = complete(model, { ...chosen, [option.name]: value });
          const soldOut = offered(model, chosen, i, value) && !inStockWith(model, chosen, i, value);
          return h(
            'label',
            {
              class: soldOut ? 'chip sold-out' : 'chip',
              title: soldOut ? 'Out of stock' : undefined,
            },
            h('input', {
              type: 'radio',
              name: `option-${i}`,
              value,
              'data-key': `option-${i}=${value}`,
              checked: chosen[option.name] === value,
              disabled: !offered(model, chosen, i, value),
              onchange: () => choose(box, product, model, next),
            }),
            h('span', {}, value),
          );
        }),
      ),
    ),
  );
  keepingFocus(box, () =>
    box.replaceChildren(
      h(
        'p',
        { class: 'price-line' },
        price ? money(price, 'price') : h('span', { id: 'price' }, 'Price on request'),
      ),
      model ? h('p', { class: 'range' }, rangeText(product.priceRange, model.variants.length)) : '',
      h(
        'p',
        { id: 'availability', class: inStock ? 'stock in' : 'stock out' },
        inStock ? 'In stock' : 'Out of stock',
        inStock && typeof available === 'number'
          ? ` · ${available.toLocaleString(LOCALE)} available`
          : '',
      ),
      ...(pickers ?? []),
      h('p', { class: 'sku' }, 'SKU ', h('code', {}, variant?.sku ?? product.sku)),
    ),
  );
}

/** A picked option value: the variant goes into the hash (shareable) without a new history entry. */
function choose(box, product, model, chosen) {
  const variant = model.variants.find((v) => matches(v, chosen));
  if (variant) {
    history.replaceState(
      history.state,
      '',
      `#/product/${encodeURIComponent(product.id)}?variant=${encodeURIComponent(variant.id)}`,
    );
    routed = location.href;
  }
  renderBuyBox(box, product, model, chosen);
}

// ---- suggestions ----------------------------------------------------------------------------

function setupSuggestions() {
  const input = $('q');
  const list = $('suggestions');
  let timer;
  let pending;
  let active = -1;

  const options = () => [...list.children];
  const close = () => {
    clearTimeout(timer);
    pending?.abort();
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const open = (id) => {
    close();
    location.hash = `#/product/${encodeURIComponent(id)}`;
  };
  const highlight = (index) => {
    active = index;
    options().forEach((el, i) => el.setAttribute('aria-selected', String(i === index)));
    if (index < 0) input.removeAttribute('aria-activedescendant');
    else {
      input.setAttribute('aria-activedescendant', options()[index].id);
      options()[index].scrollIntoView({ block: 'nearest' });
    }
  };
  const fetchFor = async (text) => {
    pending?.abort();
    pending = new AbortController();
    try {
      const params = new URLSearchParams({ q: text, size: '8' });
      const { suggestions } = await getJson(`/v1/suggest?${params}`, pending.signal);
      if (input.value.trim() !== text || document.activeElement !== input) return;
      list.replaceChildren(
        ...suggestions.map((s, i) =>
          h(
            'li',
            {
              id: `suggestion-${i}`,
              role: 'option',
              'aria-selected': 'false',
              'data-id': s.id,
              onmousedown: (e) => (e.preventDefault(), open(s.id)),
            },
            highlighted(s.highlight, s.name),
          ),
        ),
      );
      active = -1;
      list.hidden = suggestions.length === 0;
      input.setAttribute('aria-expanded', String(!list.hidden));
    } catch (error) {
      if (error.name !== 'AbortError') close();
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text === '') close();
    else timer = setTimeout(() => void fetchFor(text), SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    const count = options().length;
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !list.hidden && count > 0) {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      highlight(((active + 1 + step + count + 1) % (count + 1)) - 1);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      open(options()[active].dataset.id);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', close);
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    close();
    go(
      searchUrl({ ...readState(''), q: input.value.trim(), size: readState(location.search).size }),
    );
  });
}

// ---- start ----------------------------------------------------------------------------------

setupSuggestions();
$('sort').addEventListener('change', (e) => {
  go(searchUrl(refine(readState(location.search), { sort: e.target.value })));
});
document.addEventListener('click', (e) => {
  const link = e.target.closest?.('a[data-nav]');
  if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(link.getAttribute('href'));
  if (link.closest('#pager')) $('count').scrollIntoView({ block: 'start' });
});
window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);
route();
