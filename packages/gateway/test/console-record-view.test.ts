import { describe, expect, it } from 'vitest';
import {
  type FrameDecoder,
  headerView,
  partView,
  plainPartView,
  printableText,
  ShownBudget,
} from '../src/console/messages/record-view.ts';

const noFrames: FrameDecoder = async () => null;

describe('how the message browser shows record bytes', () => {
  it('JSON objects, arrays and strings as JSON; numbers and other text as text', () => {
    expect(plainPartView(Buffer.from('{"a":1}'), 100)).toEqual({ kind: 'json', value: { a: 1 }, size: 7 });
    expect(plainPartView(Buffer.from('[1,2]'), 100)).toEqual({ kind: 'json', value: [1, 2], size: 5 });
    expect(plainPartView(Buffer.from('42'), 100)).toEqual({ kind: 'text', text: '42', size: 2, truncated: false });
    expect(plainPartView(Buffer.from('{not json'), 100)).toMatchObject({ kind: 'text', text: '{not json' });
    expect(plainPartView(Buffer.from('héllo\tworld\n'), 100)).toMatchObject({ kind: 'text', text: 'héllo\tworld\n' });
  });

  it('bytes that are not UTF-8, or carry control characters, as hex', () => {
    expect(plainPartView(Buffer.from([0xff, 0xfe]), 100)).toEqual({
      kind: 'hex',
      hex: 'fffe',
      size: 2,
      truncated: false,
    });
    expect(plainPartView(Buffer.from([0x61, 0x00, 0x62]), 100)).toMatchObject({ kind: 'hex', hex: '610062' });
    expect(printableText(Buffer.from([0x1b, 0x5b]))).toBeNull();
  });

  it('a part over the shown bytes is cut, never parsed as JSON, and a split character is dropped rather than hexed', () => {
    expect(plainPartView(Buffer.from('{"a": "long"}'), 4)).toEqual({
      kind: 'text',
      text: '{"a"',
      size: 13,
      truncated: true,
    });
    // "é" is two bytes: cut after its first byte, the text keeps "ab" and stays text.
    expect(plainPartView(Buffer.from('abé'), 3)).toEqual({ kind: 'text', text: 'ab', size: 4, truncated: true });
    expect(plainPartView(Buffer.from([1, 2, 3, 4]), 2)).toEqual({ kind: 'hex', hex: '0102', size: 4, truncated: true });
  });

  it('registry frames are shown decoded with their schema id; null stays null', async () => {
    const avro: FrameDecoder = async () => ({ schemaId: 7, schemaType: 'AVRO', value: { id: 1 } });
    const budget = new ShownBudget(1000);
    expect(await partView(Buffer.from([0, 0, 0, 0, 7, 2]), avro, 100, budget)).toEqual({
      kind: 'avro',
      schemaId: 7,
      value: { id: 1 },
      size: 6,
    });
    expect(await partView(null, avro, 100, budget)).toEqual({ kind: 'null' });
  });

  it('a frame too large to show whole is not decoded, and the answer budget cuts later parts to nothing', async () => {
    let decoded = 0;
    const counting: FrameDecoder = async () => {
      decoded++;
      return null;
    };
    const budget = new ShownBudget(6);
    expect(await partView(Buffer.from('abcd'), counting, 100, budget)).toMatchObject({ kind: 'text', text: 'abcd' });
    expect(await partView(Buffer.from('efgh'), counting, 100, budget)).toMatchObject({ text: 'ef', truncated: true });
    expect(await partView(Buffer.from('ijkl'), counting, 100, budget)).toMatchObject({ text: '', truncated: true });
    expect(decoded).toBe(1);
    expect(await partView(Buffer.from('x'), noFrames, 100, budget)).toMatchObject({ size: 1, truncated: true });
  });

  it('headers as text when printable, hex otherwise, null as null', () => {
    const budget = new ShownBudget(1000);
    expect(headerView({ key: 'trace', value: Buffer.from('abc') }, budget)).toEqual({
      key: 'trace',
      value: 'abc',
      encoding: 'text',
      truncated: false,
    });
    expect(headerView({ key: 'bin', value: Buffer.from([0, 1]) }, budget)).toMatchObject({
      value: '0001',
      encoding: 'hex',
    });
    expect(headerView({ key: 'none', value: null }, budget)).toMatchObject({ value: null, encoding: 'null' });
  });
});
