/**
 * The shown records as JSON lines, what the message browser's Export button
 * downloads: one JSON object per line, in the order shown, each with its
 * topic, partition, offset, timestamp, key and value (decoded values as
 * their JSON, text as a string, other bytes as hex) and how each was read.
 * Pure; the page makes the download.
 */
import type { PartView, RecordView } from '../../../src/console/message-schema-api-types.ts';

export interface ExportedPart {
  /** avro, jsonschema, protobuf (decoded with `schemaId`), json, text, hex, or null. */
  format: PartView['kind'];
  schemaId?: number;
  value: unknown;
  /** Set when the part was longer than the browser shows: `value` is its beginning only. */
  truncated?: true;
}

export function exportedPart(part: PartView): ExportedPart {
  switch (part.kind) {
    case 'null':
      return { format: 'null', value: null };
    case 'json':
      return { format: 'json', value: part.value };
    case 'text':
      return { format: 'text', value: part.text, ...(part.truncated ? { truncated: true as const } : {}) };
    case 'hex':
      return { format: 'hex', value: part.hex, ...(part.truncated ? { truncated: true as const } : {}) };
    default:
      return { format: part.kind, schemaId: part.schemaId, value: part.value };
  }
}

export function recordsAsJsonLines(topic: string, records: readonly RecordView[]): string {
  return records
    .map((record) =>
      JSON.stringify({
        topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        key: exportedPart(record.key),
        value: exportedPart(record.value),
        headers: record.headers.map((h) => ({ key: h.key, value: h.value, encoding: h.encoding })),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The download's file name: the topic (characters a file system dislikes replaced) and `.jsonl`. */
export function exportFileName(topic: string): string {
  return `${topic.replace(/[^A-Za-z0-9._-]/g, '_')}-messages.jsonl`;
}
