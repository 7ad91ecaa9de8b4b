/**
 * How the message browser shows a record's key, value and headers. Bytes in
 * the Schema Registry's wire format are decoded by the schema their frame
 * names (Avro, JSON Schema, Protobuf, through EmbeddedFormats.decodeAny);
 * other bytes are shown as JSON when they are JSON text, as text when they
 * are printable UTF-8, else as hex. A part longer than `partBytesMax` is
 * shown cut (text or hex of its first bytes, `truncated`), so one huge
 * record cannot blow up an answer; the answer as a whole is bounded by a
 * ShownBudget the caller shares across its records.
 */
import type { SchemaType } from '@runnel/schema-serde';
import type { HeaderView, PartView, RegistryKind } from '../message-schema-api-types.ts';

export type { HeaderView, PartView, RecordView } from '../message-schema-api-types.ts';

/** What decodes registry frames: EmbeddedFormats.decodeAny (null when the bytes are not a frame it can read). */
export type FrameDecoder = (
  bytes: Uint8Array,
) => Promise<{ schemaId: number; schemaType: SchemaType; value: unknown } | null>;

const kindOfSchemaType: Record<SchemaType, RegistryKind> = { AVRO: 'avro', JSON: 'jsonschema', PROTOBUF: 'protobuf' };

/** Bytes an answer may spend on shown parts; what is over it is shown cut to nothing. Owned by one request. */
export class ShownBudget {
  #left: number;

  constructor(bytesMax: number) {
    this.#left = bytesMax;
  }

  /** Takes up to `wanted` bytes; returns how many the part may show. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.#left));
    this.#left -= granted;
    return granted;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes` when they are valid UTF-8 with no control characters but tab and line breaks; else null. */
export function printableText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return null;
  }
  // Control characters mean binary data that happens to decode (a varint, a zero byte).
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return null;
  }
  return text;
}

/** printableText of bytes cut at an arbitrary place: up to three trailing bytes may be a split character. */
function printableCut(bytes: Uint8Array): string | null {
  for (let drop = 0; drop <= Math.min(3, bytes.byteLength); drop++) {
    // Only bytes of a multi-byte character (0x80 and up) may be the split one's.
    if (drop > 0 && (bytes[bytes.byteLength - drop] ?? 0) < 0x80) return null;
    const text = printableText(bytes.subarray(0, bytes.byteLength - drop));
    if (text !== null) return text;
  }
  return null;
}

/** A part with no registry frame: JSON, text or hex, cut to `shownBytes` when it is longer. */
export function plainPartView(bytes: Uint8Array, shownBytes: number): PartView {
  const size = bytes.byteLength;
  const truncated = size > shownBytes;
  const shown = truncated ? bytes.subarray(0, shownBytes) : bytes;
  const text = truncated ? printableCut(shown) : printableText(shown);
  if (text === null) return { kind: 'hex', hex: Buffer.from(shown).toString('hex'), size, truncated };
  if (!truncated && looksLikeJson(text)) {
    try {
      return { kind: 'json', value: JSON.parse(text), size };
    } catch {
      // Text that starts like JSON but is not: shown as text.
    }
  }
  return { kind: 'text', text, size, truncated };
}

/** Only objects, arrays and strings count as JSON: a bare `42` or `true` key reads better as the text it is. */
function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[' || first === '"';
}

/** A record part as the browser shows it: decoded through the registry when it is a frame, else plainPartView. */
export async function partView(
  bytes: Uint8Array | null,
  decodeFrame: FrameDecoder,
  partBytesMax: number,
  budget: ShownBudget,
): Promise<PartView> {
  if (bytes === null) return { kind: 'null' };
  const shownBytes = budget.take(Math.min(bytes.byteLength, partBytesMax));
  if (shownBytes === bytes.byteLength) {
    const decoded = await decodeFrame(bytes);
    if (decoded !== null) {
      return {
        kind: kindOfSchemaType[decoded.schemaType],
        schemaId: decoded.schemaId,
        value: decoded.value,
        size: bytes.byteLength,
      };
    }
  }
  return plainPartView(bytes, shownBytes);
}

/** A header as shown: text when printable UTF-8, else hex; cut to what `budget` grants (headers are small, usually). */
export function headerView(header: { key: string; value: Uint8Array | null }, budget: ShownBudget): HeaderView {
  if (header.value === null) return { key: header.key, value: null, encoding: 'null', truncated: false };
  const shownBytes = budget.take(header.value.byteLength);
  const shown = header.value.subarray(0, shownBytes);
  const truncated = shownBytes < header.value.byteLength;
  const text = truncated ? printableCut(shown) : printableText(shown);
  return text === null
    ? { key: header.key, value: Buffer.from(shown).toString('hex'), encoding: 'hex', truncated }
    : { key: header.key, value: text, encoding: 'text', truncated };
}
