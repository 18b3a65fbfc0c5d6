/**
 * `npm run faults -- [options]`: the long fault campaign, on demand (see README.md). Prints
 * progress and the final table; exits 1 when anything was lost, drifted or dead-lettered.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../shared/config/index.js';
import { isolatedEnv } from '../support/isolation.js';
import { runCampaign } from './campaign.js';
import { campaignEnv } from './env.js';
import { storeNames, type StoreName } from './pipeline-processes.js';
import { campaignDeadLettersHold, campaignTable } from './report.js';

const { values } = parseArgs({
  options: {
    'outage-seconds': { type: 'string', default: '180' },
    'blackhole-seconds': { type: 'string', default: '60' },
    'steady-seconds': { type: 'string', default: '60' },
    'writes-per-second': { type: 'string', default: '30' },
    'reads-per-second': { type: 'string', default: '20' },
    redeliveries: { type: 'string', default: '1000' },
    'heal-deadline-seconds': { type: 'string', default: '600' },
    'overlap-faults': { type: 'boolean', default: false },
    'real-stores': { type: 'string', default: 'all' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`npm run faults -- [--outage-seconds 180] [--blackhole-seconds 60] [--steady-seconds 60]
  [--writes-per-second 30] [--reads-per-second 20] [--redeliveries 1000]
  [--heal-deadline-seconds 600] [--overlap-faults] [--real-stores all|none|redis,postgres,...]

--real-stores: stores run as private instances (own ports and state under .local/fault-campaign/)
  and stopped and restarted by infra/local/<store>.sh for their outage (default all: search,
  clickhouse, redis, postgres); the others stay the shared ones, cut by a proxy.`);
  process.exit(0);
}

const realStores = (): StoreName[] => {
  const value = values['real-stores'].trim();
  if (value === 'all') return [...storeNames];
  if (value === 'none' || value === '') return [];
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(storeNames as readonly string[]).includes(n));
  if (unknown.length > 0) {
    console.error(
      `--real-stores: unknown ${unknown.join(', ')} (use all, none or ${storeNames.join(',')})`,
    );
    process.exit(2);
  }
  return storeNames.filter((s) => names.includes(s));
};

const positive = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number`);
    process.exit(2);
  }
  return value;
};

const realRestarts = realStores();
const teardowns: (() => unknown)[] = [];
const env = isolatedEnv({ teardown: (fn) => teardowns.push(fn) }, campaignEnv());
const began = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}`);
log(`isolated namespace ${loadConfig(env).databaseSchema}`);
let failed = true;
try {
  const result = await runCampaign(env, {
    outageMs: positive('outage-seconds') * 1000,
    realRestarts,
    blackholeMs: positive('blackhole-seconds') * 1000,
    steadyMs: positive('steady-seconds') * 1000,
    writesPerSecond: positive('writes-per-second'),
    readsPerSecond: positive('reads-per-second'),
    redeliveries: positive('redeliveries'),
    healDeadlineMs: positive('heal-deadline-seconds') * 1000,
    healBetweenFaults: !values['overlap-faults'],
    log,
  });
  console.log(campaignTable(result));
  if (result.lost.length > 0) console.log('lost:', JSON.stringify(result.lost.slice(0, 20)));
  failed =
    result.lost.length > 0 ||
    result.driftTotal > 0 ||
    result.unexpectedExits.length > 0 ||
    !campaignDeadLettersHold(result);
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
process.exit(failed ? 1 : 0);
