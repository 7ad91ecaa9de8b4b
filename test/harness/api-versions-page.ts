/**
 * docs/api-versions.md, rendered from what a live broker answers to
 * ApiVersions (so from its handlers), the table's reasons and Kafka 4.1's
 * ranges. test/e2e/api-versions.test.ts compares the committed page with
 * this rendering; `UPDATE_GOLDEN=1` rewrites it.
 */
import type { AdvertisedApi, KafkaRange, NotServedApi } from '@runnel/protocol';

export interface ServedRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function range(min: number, max: number): string {
  return min === max ? `${min}` : `${min}–${max}`;
}

export function renderApiVersionsPage(input: {
  readonly served: readonly ServedRange[];
  readonly table: readonly AdvertisedApi[];
  readonly kafka: Readonly<Record<string, KafkaRange>>;
  readonly notServed: readonly NotServedApi[];
}): string {
  const rows = [...input.served]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((s) => {
      const row = input.table.find((t) => t.apiKey === s.apiKey);
      const name = row?.name ?? `key ${s.apiKey}`;
      const kafka = input.kafka[name];
      const kafkaText = kafka === undefined ? '—' : range(kafka.min, kafka.max);
      return `| ${s.apiKey} | ${name} | ${range(s.minVersion, s.maxVersion)} | ${kafkaText} | ${cell(row?.why ?? '')} |`;
    });
  const missing = [...input.notServed]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((n) => `| ${n.apiKey} | ${n.name} | ${cell(n.why)} |`);
  return [
    '# API versions',
    '',
    '<!-- Rendered by test/e2e/api-versions.test.ts from a live broker; `UPDATE_GOLDEN=1 npx vitest run test/e2e/api-versions.test.ts` rewrites it. -->',
    '',
    'What a Runnel broker answers to ApiVersions, beside what an Apache Kafka 4.1 broker',
    'answers, and why each range is what it is. The table is the broker’s own answer (each',
    'API is listed when a handler serves it, at the versions the handler serves), the reasons',
    'come from `packages/protocol/src/api-versions-table.ts`, and Kafka’s ranges from',
    '`packages/protocol/src/kafka-reference-versions.ts`. The test that renders this page',
    'fails when a served maximum differs from Kafka 4.1’s.',
    '',
    'Every broker answers the same table, because several clients learn versions from one',
    'broker and use them for all. A minimum below Kafka’s keeps a version real clients still',
    'send; a minimum is never raised.',
    '',
    '| key | API | Runnel | Kafka 4.1 | why |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Not served yet',
    '',
    'Client-facing APIs of a Kafka 4.1 broker that Runnel does not answer. Clients see them',
    'missing from ApiVersions and do without (or say the broker lacks the feature).',
    '',
    '| key | API | why |',
    '| --- | --- | --- |',
    ...missing,
    '',
  ].join('\n');
}
