import type { CampaignResult } from './campaign.js';
import { readModels } from './read-models.js';

const ms = (value: number | undefined): string =>
  value === undefined ? 'never' : `${(value / 1000).toFixed(1)} s`;

/** The campaign's final table, as plain text. */
export function campaignTable(result: CampaignResult): string {
  const rows: [string, string][] = [
    ['faults injected', String(result.faults.length)],
    [
      'stores stopped and restarted for real',
      result.realRestarts.length > 0 ? result.realRestarts.join(', ') : 'none (proxy cuts)',
    ],
    ['commands acknowledged', String(result.acknowledged)],
    ['commands refused or failed (not acknowledged)', String(result.counts.refused)],
    ['lost (must be 0)', String(result.lost.length)],
    [
      'services that exited on their own (must be 0)',
      result.unexpectedExits.length === 0 ? '0' : result.unexpectedExits.join(', '),
    ],
    ['drift reported by verify (must be 0)', String(result.driftTotal)],
    [
      'dead letters other than the poison (must be 0)',
      Object.entries(result.poison.others)
        .map(([p, n]) => `${p} ${n}`)
        .join(', '),
    ],
    [
      'poison dead-lettered after its attempts, listed',
      Object.entries(result.poison.poisonListed)
        .map(([p, listed]) => `${p} ${listed ? 'yes' : 'NO'}`)
        .join(', '),
    ],
    [
      'late commit (lower outbox id)',
      `id ${result.lateCommit.outboxId} committed after ${result.lateCommit.relayedPast} later events were relayed`,
    ],
    ['events re-delivered, shuffled', String(result.redelivered)],
    [
      'reads (errors / 5xx other than 503)',
      `${result.counts.reads} (${result.counts.readErrors} / ${result.counts.readServerErrors})`,
    ],
    ...readModels.map((m): [string, string] => [
      `max staleness ${m}`,
      ms(result.maxStalenessMs[m]),
    ]),
    ...result.faults.map((f, i): [string, string] => [
      `heal after ${i + 1}. ${f.name}`,
      `${ms(f.healMs)}${f.note === undefined ? '' : ` (${f.note})`}`,
    ]),
    ['campaign duration', `${result.seconds} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const rule = '-'.repeat(width + 14);
  return [rule, ...lines, rule].join('\n');
}

/** Dead letters are as they must be: the poison job in every queue, listed, and nothing else. */
export function campaignDeadLettersHold(result: CampaignResult): boolean {
  return (
    Object.values(result.poison.others).every((n) => n === 0) &&
    Object.values(result.poison.poisonListed).every(Boolean)
  );
}
