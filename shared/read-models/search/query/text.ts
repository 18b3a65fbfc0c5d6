import { productLimits } from '../../../write-model/products/limits.js';

/**
 * How a storefront query becomes text for the engine. Only words leave this module: letters,
 * digits and marks (any script), emoji, and the `.`/`'` inside a word ("3.5mm", "men's"). Every
 * other character is a separator, so nothing a client types can be read as query syntax; the
 * engine gets the words through multi_match, which does not parse syntax either.
 *
 * The limits keep the engine query small whatever the input: the first 512 characters, of them
 * the first 10 words, of each word the first 32 characters.
 */
export const queryTextLimits = {
  /** Characters of `q` looked at; the rest of a longer query is ignored. */
  maxChars: 512,
  /**
   * Words sent to the engine. Each word becomes fuzzy term queries over several fields, and the
   * engine refuses a query of more than 1024 clauses (OpenSearch's default
   * indices.query.bool.max_clause_count), so the word count is bounded well below that.
   */
  maxWords: 10,
  /** Characters kept of each word (no product word is longer). */
  maxWordChars: 32,
} as const;

/**
 * A word as the engine's standard tokenizer (Unicode word boundaries) will see it, so that the
 * word limit bounds the number of terms: a single Han or Hiragana character or emoji (each is a
 * term of its own, so a run of them counts as many words), a run of Katakana, a run of a
 * South-East Asian script (Thai, Lao, Myanmar, Khmer: one term per run), or a run of any other
 * letters, digits and marks, with `.` or `'` inside ("3.5mm", "men's").
 */
const SINGLE = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Extended_Pictographic}';
const KATAKANA = '\\p{Script=Katakana}\\u30fc';
const SOUTH_EAST_ASIAN =
  '\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Myanmar}\\p{Script=Khmer}\\p{Script=Tai_Tham}';
const OTHER = `(?:(?![${SINGLE}${KATAKANA}${SOUTH_EAST_ASIAN}])[\\p{L}\\p{Nd}\\p{M}])`;
const WORD = new RegExp(
  [
    `[${SINGLE}][\\p{M}\\p{Emoji_Modifier}]*`,
    `[${KATAKANA}][${KATAKANA}\\p{M}]*`,
    `[${SOUTH_EAST_ASIAN}][${SOUTH_EAST_ASIAN}\\p{M}]*`,
    `${OTHER}+(?:['’.]${OTHER}+)*`,
  ].join('|'),
  'gu',
);

const cut = (text: string, max: number): string => Array.from(text).slice(0, max).join('');

/** The words of a query, in order, within the limits above. */
export function queryWords(q: string): string[] {
  return (cut(q.normalize('NFC'), queryTextLimits.maxChars).match(WORD) ?? [])
    .slice(0, queryTextLimits.maxWords)
    .map((word) => cut(word, queryTextLimits.maxWordChars));
}

const SKU = new RegExp(productLimits.skuPattern);

/**
 * The query as a SKU (a product's or a variant's finds its product), when it could be one: the
 * trimmed query is a single token of the SKU alphabet (the write side's rule). It is compared as
 * a keyword (case-folded), never parsed.
 */
export function skuQuery(q: string): string | undefined {
  const trimmed = q.trim();
  return SKU.test(trimmed) ? trimmed : undefined;
}

/** Splits any text (synonym entries, category names) into words, without limits. */
export function words(text: string): string[] {
  return text.normalize('NFC').match(WORD) ?? [];
}

/**
 * A matching key for one word: lower case, accents removed, a plural `s` dropped ("Sneakers"
 * and "sneaker" share a key). Used to match query words against synonyms and category names;
 * the engine does its own, better, stemming on the fields.
 */
export function termKey(word: string): string {
  const folded = word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s$/u, '');
  if (folded.length > 3 && folded.endsWith('s') && !folded.endsWith('ss')) {
    return folded.slice(0, -1);
  }
  return folded;
}

/** The matching key of a phrase: its words' keys joined by one space. */
export function phraseKey(text: string): string {
  return words(text).map(termKey).join(' ');
}
