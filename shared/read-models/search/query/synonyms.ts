import { readFileSync } from 'node:fs';
import { phraseKey, termKey, words } from './text.js';

/**
 * Query-time synonyms in Solr format: the set catalog-write stores (PUT /admin/v1/search/synonyms,
 * as lines), or before one is stored the initial file infra/search/synonyms.txt:
 *
 * - `a, b, c`      equivalent: a query with any of them is also searched with each other one;
 * - `a, b => c, d` one way: a query with a or b is also searched with c and with d.
 * - blank lines and lines starting with `#` are ignored.
 *
 * Terms may be phrases ("running shoes"). They are matched on word keys (see termKey), so case,
 * accents and a plural `s` do not matter. The original query is always searched too.
 *
 * Synonyms are applied when a query is built, never at indexing, so a new set needs no reindex
 * and no restart: it reaches catalog-read through the outbox and the next query uses it.
 */
export interface Synonyms {
  /** Phrase key → the phrases (as written in the file) it also searches for. */
  readonly expansions: ReadonlyMap<string, readonly string[]>;
  /** Words in the longest left-hand phrase, so matching looks no further. */
  readonly longestPhrase: number;
}

export const noSynonyms: Synonyms = { expansions: new Map(), longestPhrase: 0 };

export class SynonymSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`synonyms line ${line}: ${reason}`);
    this.name = 'SynonymSyntaxError';
  }
}

/** At most this many alternative queries are added to one search (each costs clauses). */
export const MAX_ALTERNATIVES = 4;

function terms(list: string, line: number): string[] {
  const out = list
    .split(',')
    .map((term) => words(term).join(' '))
    .filter((term) => term.length > 0);
  if (out.length === 0) throw new SynonymSyntaxError(line, 'a side of the rule has no terms');
  return out;
}

/** One meaningful line: an equivalence group, or a one-way rule from some terms to others. */
type SynonymRule =
  | { readonly group: readonly string[] }
  | { readonly from: readonly string[]; readonly to: readonly string[] };

/** Parses one line (number is 1-based); undefined for a blank or `#` line. */
function parseLine(raw: string, number: number): SynonymRule | undefined {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return undefined;
  const sides = line.split('=>');
  if (sides.length > 2) throw new SynonymSyntaxError(number, 'more than one "=>"');
  const [left = '', right] = sides;
  if (right === undefined) {
    const group = terms(left, number);
    if (group.length < 2) throw new SynonymSyntaxError(number, 'a group needs two terms');
    return { group };
  }
  const to = terms(right, number);
  return { from: terms(left, number), to };
}

/** Parses the file's text; a malformed line is an error (the service should not start with it). */
export function parseSynonyms(text: string): Synonyms {
  const expansions = new Map<string, string[]>();
  let longestPhrase = 0;
  const add = (from: string, to: string): void => {
    const key = phraseKey(from);
    if (key === phraseKey(to)) return;
    const list = expansions.get(key) ?? [];
    if (!list.some((existing) => phraseKey(existing) === phraseKey(to))) list.push(to);
    expansions.set(key, list);
    longestPhrase = Math.max(longestPhrase, key.split(' ').length);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const rule = parseLine(raw, index + 1);
    if (rule === undefined) return;
    const [from, to] = 'group' in rule ? [rule.group, rule.group] : [rule.from, rule.to];
    for (const f of from) for (const t of to) add(f, t);
  });
  return { expansions, longestPhrase };
}

/**
 * Every malformed line of a set given as lines (the admin API's synonym set), by the rules of
 * parseSynonyms, with its 1-based number; empty when the whole set parses. A line holding a
 * line break is malformed too: joined into a file it would become two lines.
 */
export function synonymLineErrors(lines: readonly string[]): { line: number; reason: string }[] {
  return lines.flatMap((text, index) => {
    const line = index + 1;
    if (/[\r\n]/.test(text)) return [{ line, reason: 'a line must not contain a line break' }];
    try {
      parseLine(text, line);
      return [];
    } catch (error) {
      if (!(error instanceof SynonymSyntaxError)) throw error;
      return [{ line, reason: error.reason }];
    }
  });
}

/** Reads and parses the file once (service start). */
export function loadSynonyms(path: string): Synonyms {
  return parseSynonyms(readFileSync(path, 'utf8'));
}

/**
 * The alternative queries for the query words: the query with one matched phrase replaced by
 * one of its synonyms, for every match, in order of appearance; at most MAX_ALTERNATIVES.
 */
export function expandWithSynonyms(queryWords: readonly string[], synonyms: Synonyms): string[] {
  const keys = queryWords.map(termKey);
  const original = queryWords.join(' ');
  const out: string[] = [];
  for (let start = 0; start < keys.length; start++) {
    const longest = Math.min(synonyms.longestPhrase, keys.length - start);
    for (let length = longest; length >= 1; length--) {
      const replacements = synonyms.expansions.get(keys.slice(start, start + length).join(' '));
      if (replacements === undefined) continue;
      for (const replacement of replacements) {
        const alternative = [
          ...queryWords.slice(0, start),
          replacement,
          ...queryWords.slice(start + length),
        ].join(' ');
        if (alternative !== original && !out.includes(alternative)) out.push(alternative);
        if (out.length === MAX_ALTERNATIVES) return out;
      }
    }
  }
  return out;
}

/**
 * A piece of the query that must match as a whole: one word, or the words of a phrase that has
 * synonyms (matched as a phrase, so "hooded sweatshirt" does not find every hooded product), with
 * the synonyms that may stand in for it.
 */
export interface QueryUnit {
  /** The query's words of this unit, joined by one space. */
  readonly text: string;
  /** Its synonyms as written in the file (each a word or a phrase). */
  readonly alternatives: readonly string[];
}

/** Words in a unit's text; more than one means it is matched as a phrase. */
export const unitWordCount = (text: string): number => text.split(' ').length;

/**
 * The query as units, left to right: at each word the longest phrase that has synonyms, else the
 * word alone. At most MAX_ALTERNATIVES synonyms are kept over the whole query (each costs
 * clauses), in order of appearance.
 */
export function queryUnits(queryWords: readonly string[], synonyms: Synonyms): QueryUnit[] {
  const keys = queryWords.map(termKey);
  const units: QueryUnit[] = [];
  let budget = MAX_ALTERNATIVES;
  for (let start = 0; start < keys.length;) {
    let length = Math.min(synonyms.longestPhrase, keys.length - start);
    let found: readonly string[] | undefined;
    for (; length >= 1; length--) {
      found = synonyms.expansions.get(keys.slice(start, start + length).join(' '));
      if (found !== undefined) break;
    }
    const span = Math.max(length, 1);
    const alternatives = (found ?? []).slice(0, budget);
    budget -= alternatives.length;
    units.push({ text: queryWords.slice(start, start + span).join(' '), alternatives });
    start += span;
  }
  return units;
}
