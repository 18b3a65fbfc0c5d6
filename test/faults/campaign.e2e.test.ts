// The CI-sized fault campaign (issue 11, DESIGN rule 9): every service killed in turn, every store
// cut for longer than the retry budget, search blackholed, deliveries duplicated and shuffled, a
// transaction committing late with a lower outbox id and a poison event, under load. Each store
// runs as a private instance of the campaign and is really stopped and started again by its
// infra/local script; the shared stores are never touched (see test/faults/README.md).
import t from 'tap';
import { isolatedEnv } from '../support/isolation.js';
import { runCampaign } from './campaign.js';
import { campaignEnv } from './env.js';
import { storeNames } from './pipeline-processes.js';
import { campaignTable } from './report.js';

// Above the suite's 180 s per file: the private stores start (OpenSearch, a JVM, in about 15 s)
// and four real restarts add about a minute to the proxy-only campaign.
t.setTimeout(600_000);

t.test('After a campaign of faults under load, nothing is lost and nothing drifts', async (t) => {
  const env = isolatedEnv(t, campaignEnv());
  const result = await runCampaign(env, {
    outageMs: 5_000,
    realRestarts: storeNames,
    blackholeMs: 5_000,
    steadyMs: 0,
    writesPerSecond: 12,
    readsPerSecond: 6,
    redeliveries: 100,
    healDeadlineMs: 30_000,
    healBetweenFaults: false,
    log: (line) => t.comment(line),
  });
  t.comment(`\n${campaignTable(result)}`);
  t.equal(
    result.faults.length,
    14,
    'six kills, four store restarts, a blackhole, a replay, a late commit and a poison event',
  );
  t.same(result.realRestarts, storeNames, 'every store was stopped and started by its script');
  t.ok(result.acknowledged > 100, `the load was acknowledged (${result.acknowledged})`);
  t.same(result.unexpectedExits, [], 'no service exited unless the campaign killed it');
  t.same(result.lost, [], 'every acknowledged version is in every read model');
  t.equal(result.driftTotal, 0, 'aisle verify reports no drift');
  t.same(
    result.poison,
    {
      poisonListed: { search: true, detail: true, analytics: true },
      others: { search: 0, detail: 0, analytics: 0 },
    },
    'the poison event, and only it, is a listed dead letter in every queue',
  );
  t.ok(Number(result.lateCommit.relayedPast) >= 5, 'later events were relayed before the late one');
  t.equal(result.counts.readServerErrors, 0, 'reads answered no 5xx other than 503');
});
