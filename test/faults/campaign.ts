import { productIndexNames } from '../../shared/read-models/search/index-setup.js';
import { scanForDrift, driftTotal } from '../../shared/read-models/verify.js';
import { projectionNames, type ProjectionName } from '../../shared/events/queues.js';
import { clickhouseFromConfig, postgresFromConfig } from '../../shared/stores/open.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { waitFor } from '../support/wait.js';
import { openProjectionQueues, redeliver, type ProjectionQueues } from './deliveries.js';
import { startLoad, type Ack, type LoadCounts } from './load.js';
import {
  serviceNames,
  startCampaignPipeline,
  storeNames,
  type CampaignPipeline,
  type StoreName,
} from './pipeline-processes.js';
import { startPrivateStores, type PrivateStores } from './private-stores.js';
import {
  openReadModelProbe,
  readModels,
  type ReadModel,
  type ReadModelProbe,
} from './read-models.js';
import { healTime, maxStaleness, observeStaleness, type StalenessObserver } from './staleness.js';
import { commitLate } from './late-commit.js';
import { checkDeadLetters, injectPoison, type DeadLetterCheck } from './poison.js';

export interface CampaignOptions {
  /** How long each store is cut or stopped (and search blackholed). */
  readonly outageMs: number;
  /**
   * Stores the campaign runs as private instances and really stops (`infra/local/<store>.sh down`)
   * and starts again (`up`) for their outage; the others stay shared and are cut by a proxy.
   */
  readonly realRestarts: readonly StoreName[];
  readonly blackholeMs: number;
  /** Extra minutes of load with no fault, after the faults, before settling (long runs). */
  readonly steadyMs: number;
  readonly writesPerSecond: number;
  readonly readsPerSecond: number;
  /** Events re-delivered, shuffled, to every projection queue. */
  readonly redeliveries: number;
  /** The most one fault (or the final settle) may take to heal before the campaign moves on. */
  readonly healDeadlineMs: number;
  /** Wait for each fault to heal before the next (long runs); else faults follow each other. */
  readonly healBetweenFaults: boolean;
  readonly log: (line: string) => void;
}

export interface FaultRecord {
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** What the fault measured of itself (a real restart: how long the scripts' down and up took). */
  readonly note?: string | undefined;
  healMs?: number | undefined;
}

export interface CampaignResult {
  readonly faults: FaultRecord[];
  readonly counts: LoadCounts;
  readonly acknowledged: number;
  /** Products whose latest acknowledged version is missing from some read model at the end. */
  readonly lost: { id: string; version: number; model: ReadModel; seen: number }[];
  readonly drift: Record<string, number>;
  readonly driftTotal: number;
  readonly deadLetters: Record<ProjectionName, number>;
  /** The poison job is a dead letter in every queue and listed; nothing else is dead-lettered. */
  readonly poison: DeadLetterCheck;
  /** The command held before its commit while later ones were relayed (its ack is checked too). */
  readonly lateCommit: { readonly outboxId: string; readonly relayedPast: number };
  readonly maxStalenessMs: Record<ReadModel, number | undefined>;
  readonly redelivered: number;
  /** Stores that were private instances, stopped and restarted by their scripts. */
  readonly realRestarts: readonly StoreName[];
  /** Services that exited without being killed by the campaign (must be none). */
  readonly unexpectedExits: readonly string[];
  readonly seconds: number;
}

/** Time between two chained kills, so each restart overlaps the next kill only in part. */
const KILL_SPACING_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  readonly pipeline: CampaignPipeline;
  readonly observer: StalenessObserver;
  readonly faults: FaultRecord[];
  readonly options: CampaignOptions;
  readonly privateStores: PrivateStores | undefined;
  /** Commands acknowledged outside the load (the late commit). */
  readonly extraAcks: Ack[];
}

/** Later events of the load the relay must publish while the late transaction is held. */
const RELAYED_PAST_LATE_COMMIT = 5;

interface SequenceOutcome {
  readonly redelivered: number;
  readonly poisonJobId: string;
  readonly lateCommit: CampaignResult['lateCommit'];
}

/** Waits (bounded) until every command acknowledged before `endedAt` is visible everywhere. */
async function awaitHeal(run: Run, endedAt: number): Promise<void> {
  await waitFor(
    'the read models to catch up',
    async () =>
      run.observer.visibility.every(
        (v) => v.ack.at > endedAt || readModels.every((m) => v.visibleAt[m] !== undefined),
      )
        ? true
        : undefined,
    run.options.healDeadlineMs,
    200,
  ).catch((error: unknown) => run.options.log(`  ! ${String(error)}`));
}

async function inject(
  run: Run,
  name: string,
  fault: () => Promise<string | undefined | void>,
): Promise<void> {
  const startedAt = Date.now();
  run.options.log(`fault ${run.faults.length + 1}: ${name}`);
  const note = (await fault()) ?? undefined;
  if (note !== undefined) run.options.log(`  ${note}`);
  const record: FaultRecord = { name, startedAt, endedAt: Date.now(), note };
  run.faults.push(record);
  if (!run.options.healBetweenFaults) return;
  await awaitHeal(run, record.endedAt);
  record.healMs = healTime(run.observer.visibility, record.endedAt);
  run.options.log(
    `  healed in ${record.healMs ?? '—'} ms; ${run.observer.visibility.length} acks so far`,
  );
}

async function faultSequence(
  run: Run,
  queues: ProjectionQueues,
  attempts: number,
): Promise<SequenceOutcome> {
  const { pipeline, options } = run;
  if (options.healBetweenFaults) {
    for (const service of serviceNames) {
      await inject(run, `SIGKILL ${service}, restart`, () => pipeline.restart(service));
    }
  } else {
    // Chained (CI): each kill follows the previous restart by a moment, without waiting for the
    // restarted process to be ready; all are ready before the stores are taken away.
    const restarted: Promise<void>[] = [];
    for (const service of serviceNames) {
      await inject(run, `SIGKILL ${service}, restart`, async () => {
        await pipeline.kill(service);
        restarted.push(pipeline.start(service));
        await sleep(KILL_SPACING_MS);
      });
    }
    await Promise.all(restarted);
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  for (const store of storeNames) {
    const stores = run.privateStores;
    if (stores?.stores.includes(store) === true) {
      // The process goes away for real: what it had not persisted is gone, its clients see
      // refused connections (search's, behind its proxy, closed ones), and it recovers from its
      // own files when `up` starts it again.
      const name = `${store} stopped (${store === 'search' ? 'opensearch' : store}.sh down) for ${options.outageMs / 1000} s, up again`;
      await inject(run, name, async () => {
        const down = await stores.down(store);
        await sleep(options.outageMs);
        const up = await stores.up(store);
        return `down took ${seconds(down)}, up ${seconds(up)}`;
      });
      continue;
    }
    const proxy = pipeline.proxies[store];
    if (proxy === undefined) throw new Error(`${store} has neither a proxy nor a private instance`);
    await inject(run, `${store} cut for ${options.outageMs / 1000} s`, async () => {
      proxy.setMode('cut');
      await sleep(options.outageMs);
      proxy.setMode('up');
    });
  }
  const searchProxy = pipeline.proxies.search;
  if (searchProxy === undefined) throw new Error('search must stay behind its proxy (blackhole)');
  await inject(run, `search blackholed for ${options.blackholeMs / 1000} s`, async () => {
    searchProxy.setMode('blackhole');
    await sleep(options.blackholeMs);
    searchProxy.setMode('up');
  });
  let redelivered = 0;
  let poisonJobId = '';
  let lateCommit: CampaignResult['lateCommit'] = { outboxId: '', relayedPast: 0 };
  const postgres = postgresFromConfig(pipeline.direct, 'fault-campaign');
  try {
    await inject(run, `${options.redeliveries} events re-delivered, shuffled`, async () => {
      redelivered = await redeliver(postgres.client, queues, options.redeliveries, attempts);
    });
    await inject(run, 'a transaction commits late with a lower outbox id', async () => {
      const late = await commitLate(
        postgres.client,
        RELAYED_PAST_LATE_COMMIT,
        options.healDeadlineMs,
      );
      run.extraAcks.push(late.ack);
      run.observer.track(late.ack);
      lateCommit = { outboxId: late.outboxId, relayedPast: late.relayedPast };
    });
    await inject(run, 'a poison event in every projection queue', async () => {
      poisonJobId = await injectPoison(postgres.client, queues, attempts);
    });
  } finally {
    await postgres.close();
  }
  return { redelivered, poisonJobId, lateCommit };
}

async function queuesDrained(queues: ProjectionQueues): Promise<true | undefined> {
  const counts = await Promise.all(
    projectionNames.map((p) =>
      queues.queues[p].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused'),
    ),
  );
  return counts.every((c) => Object.values(c).every((n) => n === 0)) ? true : undefined;
}

async function lostCommands(
  acks: readonly Ack[],
  probe: ReadModelProbe,
): Promise<CampaignResult['lost']> {
  const latest = new Map<string, number>();
  for (const ack of acks) latest.set(ack.id, Math.max(latest.get(ack.id) ?? 0, ack.version));
  const versions = await probe.versionsOf([...latest.keys()]);
  const lost: CampaignResult['lost'] = [];
  for (const [id, version] of latest) {
    for (const model of readModels) {
      const seen = versions[model].get(id) ?? 0;
      if (seen < version) lost.push({ id, version, model, seen });
    }
  }
  return lost;
}

async function verifyDrift(run: Run): Promise<{ drift: Record<string, number>; total: number }> {
  const direct = run.pipeline.direct;
  const postgres = postgresFromConfig(direct, 'fault-campaign-verify');
  const redis = openRedis(direct.redisUrl);
  const search = openSearch(direct);
  const clickhouse = clickhouseFromConfig(direct);
  try {
    const report = await scanForDrift(
      {
        pool: postgres.client,
        redis: redis.client,
        search: search.client,
        clickhouse: clickhouse.client,
        redisKeyPrefix: direct.redisKeyPrefix,
        searchAlias: productIndexNames(direct.searchIndexPrefix).alias,
      },
      { projections: projectionNames, repair: false },
    );
    const drift: Record<string, number> = {};
    for (const p of projectionNames) {
      const d = report.projections[p];
      drift[p] = d === undefined ? 0 : driftTotal(d);
      if (d !== undefined && driftTotal(d) > 0)
        run.options.log(`  drift ${p}: ${JSON.stringify(d)}`);
    }
    return { drift, total: Object.values(drift).reduce((a, b) => a + b, 0) };
  } finally {
    await Promise.all([postgres.close(), redis.close(), search.close(), clickhouse.close()]);
  }
}

/**
 * The fault campaign (issue 11): the pipeline under load, a sequence of faults, then a settle
 * and the checks. `env` is an isolated environment (own schema, prefixes, database); it must set
 * PROJECTION_ATTEMPTS low so every outage outlasts the retry budget. The stores in
 * `options.realRestarts` are private instances started first (their URLs replace env's) and
 * stopped, with their state removed, whatever the outcome.
 */
export async function runCampaign(
  env: Record<string, string | undefined>,
  options: CampaignOptions,
): Promise<CampaignResult> {
  const began = Date.now();
  if (options.realRestarts.length === 0) return campaignOn(env, options, undefined, began);
  const privateStores = await startPrivateStores(options.realRestarts, options.log);
  try {
    return await campaignOn({ ...env, ...privateStores.urls }, options, privateStores, began);
  } finally {
    options.log('stopping the private stores and removing their state');
    await privateStores.remove();
  }
}

async function campaignOn(
  env: Record<string, string | undefined>,
  options: CampaignOptions,
  privateStores: PrivateStores | undefined,
  began: number,
): Promise<CampaignResult> {
  const log = options.log;
  // Search keeps its proxy even when restarted for real: the blackhole is made there.
  const unproxied: StoreName[] = options.realRestarts.filter((s) => s !== 'search');
  const proxied = storeNames.filter((s) => !unproxied.includes(s));
  log(
    `starting the pipeline (6 services; fault proxies in front of ${proxied.join(', ')}` +
      `${unproxied.length > 0 ? `; ${unproxied.join(', ')} reached directly` : ''})`,
  );
  const unexpectedExits: string[] = [];
  const pipeline = await startCampaignPipeline(env, unproxied, (service, detail) => {
    unexpectedExits.push(service);
    log(`  ! ${service} exited on its own (${detail})`);
  });
  const probe = openReadModelProbe(pipeline.direct);
  const queues = openProjectionQueues(pipeline.direct);
  const observer = observeStaleness(probe.versionsOf);
  const run: Run = { pipeline, observer, faults: [], options, privateStores, extraAcks: [] };
  const load = startLoad({
    writePort: pipeline.port('catalog-write'),
    readPort: pipeline.port('catalog-read'),
    writesPerSecond: options.writesPerSecond,
    readsPerSecond: options.readsPerSecond,
    onAck: (ack) => observer.track(ack),
  });
  try {
    await waitFor(
      'the load to be acknowledged',
      async () => (load.acks.length >= 20 ? true : undefined),
      60_000,
      100,
    );
    const attempts = Number(env['PROJECTION_ATTEMPTS'] ?? 2);
    const sequence = await faultSequence(run, queues, attempts);
    if (options.steadyMs > 0) {
      log(`steady load for ${options.steadyMs / 1000} s`);
      await sleep(options.steadyMs);
    }
    await load.stop();
    log(`load stopped: ${load.acks.length} commands acknowledged; settling`);
    await awaitHeal(run, Date.now());
    log('every acknowledged command is visible; waiting for the queues to drain');
    await waitFor(
      'the projection queues to drain',
      () => queuesDrained(queues),
      options.healDeadlineMs,
      200,
    ).catch((error: unknown) => log(`  ! ${String(error)}`));
    log('queues drained; verifying');
    await observer.stop();
    // Heal times are measured once everything settled, so overlapping faults are covered too.
    for (const fault of run.faults) fault.healMs = healTime(observer.visibility, fault.endedAt);
    const acks = [...load.acks, ...run.extraAcks];
    const lost = await lostCommands(acks, probe);
    const { drift, total } = await verifyDrift(run);
    return {
      faults: run.faults,
      counts: load.counts,
      acknowledged: acks.length,
      lost,
      drift,
      driftTotal: total,
      deadLetters: await queues.deadLetters(),
      poison: await checkDeadLetters(queues, sequence.poisonJobId, attempts),
      lateCommit: sequence.lateCommit,
      maxStalenessMs: maxStaleness(observer.visibility),
      redelivered: sequence.redelivered,
      realRestarts: options.realRestarts,
      unexpectedExits,
      seconds: Math.round((Date.now() - began) / 1000),
    };
  } finally {
    await load.stop();
    await observer.stop();
    await Promise.all([probe.close(), queues.close()]);
    await pipeline.stop();
  }
}
