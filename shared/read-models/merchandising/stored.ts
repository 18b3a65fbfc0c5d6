import type { SearchRuleSnapshot, SynonymSetSnapshot } from '../../events/merchandising-events.js';
import { versionDrift, type DriftKind } from '../drift.js';

/**
 * How `aisle verify` names the synonym set among its findings: rules are named by their ids
 * (uuids), so this cannot be taken for one.
 */
export const SYNONYMS_ITEM = 'synonyms';

/** Objects with their keys sorted, so two snapshots compare by content, not by key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

/** The stored JSON as an object with a numeric version; undefined when it is not that. */
function parseStored(json: string): { readonly version: number } | undefined {
  try {
    const value: unknown = JSON.parse(json);
    if (value === null || typeof value !== 'object') return undefined;
    const { version } = value as { version?: unknown };
    return typeof version === 'number' && Number.isFinite(version)
      ? (value as { version: number })
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the read model holds for one synonym set or rule (its JSON, null when absent) against the
 * write model's snapshot. Key order does not matter (the projector stores what the event
 * carried, which went through jsonb); an unreadable value is a content mismatch, which a repair
 * replaces.
 */
export function storedDrift(
  stored: string | null,
  expected: SynonymSetSnapshot | SearchRuleSnapshot,
): DriftKind | undefined {
  if (stored === null) return 'missing';
  const held = parseStored(stored);
  if (held === undefined) return 'mismatch';
  return versionDrift(
    held.version,
    expected.version,
    () => JSON.stringify(canonical(held)) === JSON.stringify(canonical(expected)),
  );
}
