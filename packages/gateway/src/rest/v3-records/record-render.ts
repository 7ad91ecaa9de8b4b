/**
 * How the consume route shows one record: `{topic, partition, offset,
 * timestamp, key, value, headers}` with key and value decoded by the asked
 * format (binary: base64; string: UTF-8 text; json: the parsed value; avro,
 * jsonschema, protobuf: the registry format's JSON form; auto: whatever
 * the registry frame names, else text when the bytes are UTF-8, else
 * base64, saying which in `key_format` / `value_format`). A record the
 * format cannot read is shown with `error` instead of its key and value,
 * so one bad record does not end a stream.
 */
import type { DecodedRecord } from '@runnel/protocol';
import type { EmbeddedFormats } from '../formats/embedded-formats.ts';

export const consumeFormats = ['binary', 'json', 'string', 'avro', 'jsonschema', 'protobuf', 'auto'] as const;
export type ConsumeFormat = (typeof consumeFormats)[number];

export interface RenderedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key?: unknown;
  value?: unknown;
  key_format?: string;
  value_format?: string;
  headers: { name: string; value: string | null }[];
  error?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function renderRecord(
  formats: EmbeddedFormats,
  topic: string,
  partition: number,
  record: DecodedRecord,
  format: ConsumeFormat,
): Promise<RenderedRecord> {
  const rendered: RenderedRecord = {
    topic,
    partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    headers: record.headers.map((h) => ({ name: h.key, value: h.value === null ? null : h.value.toString('base64') })),
  };
  try {
    if (format === 'auto') {
      const key = await decodeAuto(formats, record.key);
      const value = await decodeAuto(formats, record.value);
      rendered.key = key.data;
      rendered.value = value.data;
      if (key.format !== undefined) rendered.key_format = key.format;
      if (value.format !== undefined) rendered.value_format = value.format;
    } else {
      rendered.key = await decodeAs(formats, format, record.key);
      rendered.value = await decodeAs(formats, format, record.value);
    }
  } catch (error) {
    delete rendered.key;
    delete rendered.value;
    rendered.error = `the record cannot be read as ${format}: ${error instanceof Error ? error.message : String(error)}`;
  }
  return rendered;
}

async function decodeAs(formats: EmbeddedFormats, format: Exclude<ConsumeFormat, 'auto'>, bytes: Buffer | null) {
  if (bytes === null) return null;
  if (format === 'string') return utf8.decode(bytes);
  return formats.decode(format, bytes);
}

async function decodeAuto(
  formats: EmbeddedFormats,
  bytes: Buffer | null,
): Promise<{ data: unknown; format: string | undefined }> {
  if (bytes === null) return { data: null, format: undefined };
  const framed = await formats.decodeAny(bytes);
  if (framed !== null) {
    const format = framed.schemaType === 'AVRO' ? 'avro' : framed.schemaType === 'JSON' ? 'jsonschema' : 'protobuf';
    return { data: framed.value, format };
  }
  try {
    return { data: utf8.decode(bytes), format: 'string' };
  } catch {
    return { data: bytes.toString('base64'), format: 'binary' };
  }
}
