import type { BusStatus, LocalStatus, StageStatus } from './types';

/** `status` as lines for a person: one section per dashboard row, labels aligned, `-` where there is no data. */
export function formatStatus(status: BusStatus): string[] {
  const lines = [`${status.target}: ${status.from} to ${status.to}`];
  for (const [title, rows] of status.kind === 'stage' ? stageSections(status) : localSections(status)) {
    lines.push('', title);
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
  }
  return lines;
}

type Section = [title: string, rows: Array<[label: string, value: string]>];

const count = (value: number) => String(value);
const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)} ms`);

function stageSections(status: StageStatus): Section[] {
  const { publish, deliveries } = status;
  return [
    [
      'Publish',
      [
        ['events published', count(publish.eventsPublished)],
        ['duplicates answered', count(publish.duplicatesAnswered)],
        ['refused 4xx', count(publish.rejected)],
        ['pushed back 429/503', count(publish.throttled)],
        ['failed 5xx', count(publish.errors)],
        ...(publish.apiRequests !== undefined
          ? ([
              ['API requests', count(publish.apiRequests)],
              ['API 4xx', count(publish.api4xx ?? 0)],
              ['API 5xx', count(publish.api5xx ?? 0)],
            ] as Array<[string, string]>)
          : []),
      ],
    ],
    ['Iterator age (max)', status.consumers.map(({ name, iteratorAgeMs }) => [name, ms(iteratorAgeMs)])],
    [
      'Deliveries',
      [
        ['delivered', count(deliveries.delivered)],
        ['failed, to be retried', count(deliveries.failed)],
        ['deferred', count(deliveries.deferred)],
        ['held back', count(deliveries.heldBack)],
        ['dead-lettered', count(deliveries.deadLettered)],
        ['latency router p50/p99', `${ms(deliveries.latency.router.p50Ms)} / ${ms(deliveries.latency.router.p99Ms)}`],
        ['latency retries p50/p99', `${ms(deliveries.latency.redeliver.p50Ms)} / ${ms(deliveries.latency.redeliver.p99Ms)}`],
      ],
    ],
    [
      'Backlog',
      [
        ['pending deliveries', status.pendingDeliveries === null ? '-' : count(status.pendingDeliveries)],
        ['KMS requests', count(status.kmsRequests)],
      ],
    ],
    ['Functions (invocations, errors, throttles)', status.functions.map(({ name, invocations, errors, throttles }) => [name, `${invocations}, ${errors}, ${throttles}`])],
  ];
}

function localSections(status: LocalStatus): Section[] {
  return [
    [
      'Ledger',
      [
        ['pending deliveries', count(status.pendingDeliveries)],
        ['dead letters', count(status.deadLetters)],
      ],
    ],
    [
      'Router lag per shard',
      status.stream.map((shard) => [
        shard.shard,
        `${shard.behindAtLeast ? 'at least ' : ''}${shard.recordsBehind} records behind` +
          (shard.oldestUnroutedAgeMs === null ? '' : `, oldest ${ms(shard.oldestUnroutedAgeMs)} old`) +
          ` (checkpoint ${shard.checkpoint ?? 'none'}, latest ${shard.latest ?? 'none'})`,
      ]),
    ],
    [
      `Events stored (${status.storedTotal})`,
      Object.keys(status.storedByType).length ? Object.entries(status.storedByType).map(([type, stored]) => [type, count(stored)]) : [['none in the last hour', '']],
    ],
  ];
}
