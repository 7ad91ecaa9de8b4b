/**
 * Every version added for the transaction work, in both directions, through
 * the frame layer: seeded random messages survive encode, decode and
 * re-encode; the header version switches exactly at each API's flexible
 * boundary; and in flexible versions unknown tagged fields are skipped.
 * The general round-trip and fuzz suites also cover these versions, since
 * they walk apiDefs; this file names the new ones so none can go missing.
 */
import { Random } from '@runnel/common';
import { describe, expect, test } from 'vitest';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../src/frame.ts';
import { addOffsetsToTxn } from '../src/messages/add-offsets-to-txn.ts';
import { addPartitionsToTxn } from '../src/messages/add-partitions-to-txn.ts';
import { describeProducers } from '../src/messages/describe-producers.ts';
import { describeTransactions } from '../src/messages/describe-transactions.ts';
import { endTxn } from '../src/messages/end-txn.ts';
import { initProducerId } from '../src/messages/init-producer-id.ts';
import { listTransactions } from '../src/messages/list-transactions.ts';
import { offsetFetch } from '../src/messages/offset-fetch.ts';
import { txnOffsetCommit } from '../src/messages/txn-offset-commit.ts';
import { writeTxnMarkers } from '../src/messages/write-txn-markers.ts';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import type { ApiDef } from '../src/schema/types.ts';
import { randomMessage } from './random-message.ts';
import { WireBytes } from './wire-bytes.ts';

/** [api, versions added to reach Kafka 4.1, first flexible version]. */
const added: readonly (readonly [ApiDef, readonly number[], number])[] = [
  [initProducerId, [5], 2],
  [addPartitionsToTxn, [2, 3, 4, 5], 3],
  [addOffsetsToTxn, [2, 3, 4], 3],
  [endTxn, [0, 2, 3, 4, 5], 3],
  [writeTxnMarkers, [1], 1],
  [txnOffsetCommit, [0, 4, 5], 3],
  [offsetFetch, [6, 7], 6],
  [describeProducers, [0], 0],
  [describeTransactions, [0], 0],
  [listTransactions, [0, 1, 2], 0],
];

const rows = added.flatMap(([api, versions, flexibleFrom]) =>
  versions.map((version) => ({ api, version, flexible: version >= flexibleFrom })),
);

const samples = 20;
const clientId = 'rt';

describe.each(rows)('$api.name v$version', ({ api, version, flexible }) => {
  test('requests round-trip through a frame whose header version follows the flexible boundary', () => {
    const rng = new Random(7919 * (api.apiKey + 1) + version);
    for (let i = 0; i < samples; i++) {
      const value = randomMessage(rng, api.request, version);
      const header = { apiKey: api.apiKey, apiVersion: version, correlationId: i, clientId };
      const frame = Buffer.concat(encodeRequestFrame(header, value));
      const body = Buffer.concat(encodeMessage(api.request, version, value));
      // size, key, version, correlation id, int16-length client id, then header v2's empty tag section.
      expect(frame.length).toBe(4 + 10 + clientId.length + (flexible ? 1 : 0) + body.length);
      const decoded = decodeRequestFrame(frame.subarray(4));
      if (!decoded.ok) throw new Error(`${api.name} v${version} sample ${i}: ${decoded.message}`);
      expect(decoded.header).toEqual(header);
      expect(decoded.body).toMatchObject(value);
      expect(Buffer.concat(encodeMessage(api.request, version, decoded.body)).equals(body)).toBe(true);
    }
  });

  test('responses round-trip through a frame whose header version follows the flexible boundary', () => {
    const rng = new Random(104729 * (api.apiKey + 1) + version);
    for (let i = 0; i < samples; i++) {
      const value = randomMessage(rng, api.response, version);
      const header = { apiKey: api.apiKey, apiVersion: version, correlationId: i, clientId };
      const frame = Buffer.concat(encodeResponseFrame(header, value));
      const body = Buffer.concat(encodeMessage(api.response, version, value));
      // size, correlation id, then response header v1's empty tag section.
      expect(frame.length).toBe(4 + 4 + (flexible ? 1 : 0) + body.length);
      const decoded = decodeResponseFrame(api.apiKey, version, frame.subarray(4));
      expect(decoded.correlationId).toBe(i);
      expect(decoded.body).toMatchObject(value);
      expect(Buffer.concat(encodeMessage(api.response, version, decoded.body)).equals(body)).toBe(true);
    }
  });
});

// Versions before the flexible boundary have no tagged-field sections to test.
describe.each(rows.filter((r) => r.flexible))('$api.name v$version (flexible)', ({ api, version }) => {
  test('unknown tagged fields in the top-level section are skipped', () => {
    const rng = new Random(15485863 + api.apiKey * 31 + version);
    for (const def of [api.request, api.response]) {
      const value = randomMessage(rng, def, version);
      const bytes = Buffer.concat(encodeMessage(def, version, value));
      // None of these messages defines a tagged field, so the message ends with an empty section.
      expect(bytes.at(-1)).toBe(0);
      const unknownTags = new WireBytes()
        .taggedFields([
          [7, Buffer.from('ffff', 'hex')],
          [300, Buffer.alloc(0)],
        ])
        .build();
      const withTags = Buffer.concat([bytes.subarray(0, -1), unknownTags]);
      expect(decodeMessage(def, version, withTags)).toEqual(decodeMessage(def, version, bytes));
    }
  });
});
