import { projectPath } from '../../paths.js';
import { applyClickHouseDdl, type ClickHouseOptions } from '../../stores/clickhouse.js';

/** The analytics tables' DDL, one numbered file per change, applied in order and recorded. */
export const analyticsTablesDir = projectPath('shared', 'read-models', 'analytics', 'tables');

/** Creates the database and every analytics table that is missing; safe to run concurrently. */
export function bootstrapClickHouse(
  opts: ClickHouseOptions & { database: string },
): Promise<{ applied: string[] }> {
  return applyClickHouseDdl(analyticsTablesDir, opts);
}
