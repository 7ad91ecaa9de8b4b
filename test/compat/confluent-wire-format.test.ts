/**
 * The registry wire format of @runnel/schema-serde byte for byte against
 * Confluent's own implementation (@confluentinc/schemaregistry's SchemaId,
 * which its serializers use to write and read frames): the schema id and
 * the Protobuf message index paths, including the single-zero shortcut and
 * multi-byte varints, in both directions.
 */
import { SchemaId } from '@confluentinc/schemaregistry';
import { decodeFrame, decodeMessageIndexes, encodeFrame } from '@runnel/schema-serde';
import { describe, expect, it } from 'vitest';

const paths = [[0], [1], [0, 0], [2, 5], [0, 1, 2, 3], [63], [64], [8191], [8192], [1, 300, 70000], [2 ** 31 - 1]];
const payload = Buffer.from([0x08, 0x96, 0x01]);

describe('wire format against Confluent’s SchemaId', () => {
  it('Avro and JSON frames: the same header for the same id', () => {
    for (const id of [0, 1, 255, 65536, 2 ** 31 - 1]) {
      const confluent = new SchemaId('AVRO', id).idToBytes();
      expect(encodeFrame(id, payload)).toEqual(Buffer.concat([confluent, payload]));
      const read = new SchemaId('AVRO');
      expect(read.fromBytes(encodeFrame(id, payload))).toBe(5);
      expect(read.id).toBe(id);
    }
  });

  it('Protobuf frames: Runnel writes what Confluent writes for every index path, and each reads the other’s', () => {
    for (const path of paths) {
      const confluent = Buffer.concat([new SchemaId('PROTOBUF', 42, undefined, path).idToBytes(), payload]);
      const runnel = encodeFrame(42, payload, path);
      expect({ path, bytes: [...runnel] }).toEqual({ path, bytes: [...confluent] });

      const { schemaId, body } = decodeFrame(confluent);
      expect(schemaId).toBe(42);
      expect(decodeMessageIndexes(body)).toEqual({ indexes: path, payload });

      const read = new SchemaId('PROTOBUF');
      const headerBytes = read.fromBytes(runnel);
      expect(read.messageIndexes).toEqual(path);
      expect(runnel.subarray(headerBytes)).toEqual(payload);
    }
  });
});
