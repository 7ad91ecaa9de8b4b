/**
 * The Schema Registry wire format, as Confluent's serializers write it:
 *
 *   frame          = magic-byte schema-id [message-indexes] payload
 *   magic-byte     = 0x00
 *   schema-id      = int32, big-endian (the registry's global id)
 *   message-indexes (Protobuf only)
 *                  = count index{count}, each a zigzag varint (int32);
 *                    the path [0] (the first message of the file) is
 *                    written as the single byte 0x00 (count 0)
 *   payload        = the format's bytes (Avro binary, JSON text, Protobuf)
 *
 * A message index path names a message of the schema's .proto file: its
 * position among the file's top-level messages, then among that message's
 * nested messages, and so on.
 */
import { SerdeError } from './serde-error.ts';

export const magicByte = 0;
const headerBytes = 5;

/** A frame without its payload split off: the schema id and everything after the id. */
export interface FrameHeader {
  schemaId: number;
  /** The bytes after the schema id: message indexes (Protobuf) and payload. */
  body: Buffer;
}

/** The frame for `payload` under `schemaId`; `messageIndexes` only for Protobuf. */
export function encodeFrame(schemaId: number, payload: Uint8Array, messageIndexes?: readonly number[]): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new SerdeError(`schema id ${schemaId} is not an int32 >= 0`);
  }
  const header = Buffer.alloc(headerBytes);
  header.writeUInt8(magicByte, 0);
  header.writeInt32BE(schemaId, 1);
  const parts: Buffer[] = [header];
  if (messageIndexes !== undefined) parts.push(encodeMessageIndexes(messageIndexes));
  parts.push(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  return Buffer.concat(parts);
}

/** The schema id and body of a frame; a SerdeError when `bytes` is not one. */
export function decodeFrame(bytes: Uint8Array): FrameHeader {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < headerBytes) {
    throw new SerdeError(`${buffer.length} bytes are too few for the registry wire format (magic byte and schema id)`);
  }
  const magic = buffer.readUInt8(0);
  if (magic !== magicByte) throw new SerdeError(`unknown magic byte ${magic} (the registry wire format starts with 0)`);
  return { schemaId: buffer.readInt32BE(1), body: buffer.subarray(headerBytes) };
}

/** A Protobuf message index path in the wire format; [0] becomes the single byte 0. */
export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 0) throw new SerdeError('a message index path names at least one message');
  for (const index of indexes) {
    if (!Number.isInteger(index) || index < 0 || index > 0x7fffffff) {
      throw new SerdeError(`message index ${index} is not an int32 >= 0`);
    }
  }
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.of(0);
  const bytes: number[] = [];
  writeZigzag(bytes, indexes.length);
  for (const index of indexes) writeZigzag(bytes, index);
  return Buffer.from(bytes);
}

/** The message index path at the start of `body` and the payload after it. */
export function decodeMessageIndexes(body: Buffer): { indexes: number[]; payload: Buffer } {
  const cursor = { offset: 0 };
  const count = readZigzag(body, cursor);
  if (count === 0) return { indexes: [0], payload: body.subarray(cursor.offset) };
  // Each index takes at least one byte: a count beyond the bytes left is corrupt, and must not size an array.
  if (count < 0 || count > body.length - cursor.offset) {
    throw new SerdeError(`message index count ${count} does not fit the ${body.length} bytes of the frame body`);
  }
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = readZigzag(body, cursor);
    if (index < 0) throw new SerdeError(`message index ${index} is negative`);
    indexes.push(index);
  }
  return { indexes, payload: body.subarray(cursor.offset) };
}

function writeZigzag(out: number[], n: number): void {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function readZigzag(bytes: Buffer, cursor: { offset: number }): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = bytes[cursor.offset];
    if (byte === undefined) throw new SerdeError('message indexes end inside a varint');
    cursor.offset++;
    v |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return (v >>> 1) ^ -(v & 1);
  }
  throw new SerdeError('a message index varint is longer than 5 bytes');
}
