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
} from './pipeline-processes.js';
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
  /** How long each store is cut (and search blackholed). */
  readonly outageMs: number;
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

async function inject(run: Run, name: string, fault: () => Promise<void>): Promise<void> {
  const startedAt = Date.now();
  run.options.log(`fault ${run.faults.length + 1}: ${name}`);
  await fault();
  const record: FaultRecord = { name, startedAt, endedAt: Date.now() };
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
  for (const store of storeNames) {
    await inject(run, `${store} cut for ${options.outageMs / 1000} s`, async () => {
      pipeline.proxies[store].setMode('cut');
      await sleep(options.outageMs);
      pipeline.proxies[store].setMode('up');
    });
  }
  await inject(run, `search blackholed for ${options.blackholeMs / 1000} s`, async () => {
    pipeline.proxies.search.setMode('blackhole');
    await sleep(options.blackholeMs);
    pipeline.proxies.search.setMode('up');
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
 * PROJECTION_ATTEMPTS low so every outage outlasts the retry budget.
 */
export async function runCampaign(
  env: Record<string, string | undefined>,
  options: CampaignOptions,
): Promise<CampaignResult> {
  const began = Date.now();
  const log = options.log;
  log('starting the pipeline (6 services behind 4 fault proxies)');
  const pipeline = await startCampaignPipeline(env);
  const probe = openReadModelProbe(pipeline.direct);
  const queues = openProjectionQueues(pipeline.direct);
  const observer = observeStaleness(probe.versionsOf);
  const run: Run = { pipeline, observer, faults: [], options, extraAcks: [] };
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
      seconds: Math.round((Date.now() - began) / 1000),
    };
  } finally {
    await load.stop();
    await observer.stop();
    await Promise.all([probe.close(), queues.close()]);
    await pipeline.stop();
  }
}
