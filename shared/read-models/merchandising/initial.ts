import { infraPath } from '../../paths.js';
import { loadSynonyms, type Synonyms } from '../search/query/synonyms.js';

/** The repo's synonym file: the initial set, in force until the write side's set is projected. */
export const SYNONYMS_FILE = infraPath('search', 'synonyms.txt');

export const initialSynonyms = (): Synonyms => loadSynonyms(SYNONYMS_FILE);
