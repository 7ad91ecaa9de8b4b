import { ApiKeys, encodeRequestFrame } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { negotiateVersions } from '../src/api-version-table.ts';
import { parseBootstrap } from '../src/bootstrap.ts';
import { FrameSplitter } from '../src/frame-splitter.ts';
import { produceRequest } from '../src/partition-requests.ts';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

describe('FrameSplitter', () => {
  it('yields every frame whether frames share a chunk or are cut at any byte', () => {
    const stream = Buffer.concat([frame('alpha'), frame(''), frame('a much longer frame body'), frame('z')]);
    for (let cut = 1; cut < stream.length; cut++) {
      const splitter = new FrameSplitter(1024);
      const seen: string[] = [];
      for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
        expect(splitter.push(part, (f) => seen.push(f.toString()))).toBeNull();
      }
      expect(seen, `cut at ${cut}`).toEqual(['alpha', '', 'a much longer frame body', 'z']);
    }
  });

  it('returns a view of the chunk, not a copy, when a frame arrives whole', () => {
    const chunk = frame('payload');
    let got: Buffer | null = null;
    new FrameSplitter(1024).push(chunk, (f) => {
      got = f;
    });
    expect((got as Buffer | null)?.buffer).toBe(chunk.buffer);
  });

  it('reports a negative or oversized frame length', () => {
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5, 0);
    expect(new FrameSplitter(1024).push(negative, () => {})).toBe('negative_size');
    expect(new FrameSplitter(4).push(frame('too long'), () => {})).toBe('too_large');
  });
});

describe('parseBootstrap', () => {
  it('parses host:port lists, bracketed IPv6 and a default port', () => {
    const parsed = parseBootstrap('a:1, b:9093,[::1]:9094,c');
    expect(parsed).toEqual({
      ok: true,
      value: [
        { host: 'a', port: 1 },
        { host: 'b', port: 9093 },
        { host: '::1', port: 9094 },
        { host: 'c', port: 9092 },
      ],
    });
  });

  it('rejects empty lists and bad ports as invalid_bootstrap', () => {
    expect(parseBootstrap(' , ')).toMatchObject({ ok: false, error: 'invalid_bootstrap' });
    expect(parseBootstrap('a:70000')).toMatchObject({ ok: false, error: 'invalid_bootstrap' });
    expect(parseBootstrap('a:b:c')).toMatchObject({ ok: false, error: 'invalid_bootstrap' });
  });
});

describe('negotiateVersions', () => {
  it('picks the highest common version and leaves out disjoint or unknown APIs', () => {
    const chosen = negotiateVersions([
      { apiKey: ApiKeys.Fetch, minVersion: 0, maxVersion: 17 },
      { apiKey: ApiKeys.Produce, minVersion: 13, maxVersion: 13 },
      { apiKey: 9999, minVersion: 0, maxVersion: 1 },
    ]);
    expect(chosen.get(ApiKeys.Fetch)).toBe(17);
    expect(chosen.has(ApiKeys.Produce)).toBe(false);
    expect(chosen.has(9999)).toBe(false);
  });
});

describe('produce request framing', () => {
  it('carries a prebuilt batch into the frame as the same Buffer, uncopied', () => {
    const batch = Buffer.alloc(64 * 1024, 1);
    const chunks = encodeRequestFrame(
      { apiKey: ApiKeys.Produce, apiVersion: 7, correlationId: 1, clientId: 'c' },
      produceRequest('t', 0, batch, -1, 1000),
    );
    expect(chunks.includes(batch)).toBe(true);
  });
});
