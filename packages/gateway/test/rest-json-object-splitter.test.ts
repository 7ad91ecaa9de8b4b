import { describe, expect, it } from 'vitest';
import { JsonObjectSplitter } from '../src/rest/v3-records/json-object-splitter.ts';

function texts(objects: Buffer[]): string[] {
  return objects.map((o) => o.toString('utf8'));
}

describe('the streaming produce framing (concatenated JSON objects)', () => {
  it('splits objects separated by newlines, by spaces, or by nothing', () => {
    const splitter = new JsonObjectSplitter(1000);
    const result = splitter.push(Buffer.from('{"a":1}\n{"b":2} {"c":3}{"d":4}\r\n'));
    expect(result.ok).toBe(true);
    expect(texts(result.objects)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    expect(splitter.end()).toBeNull();
  });

  it('joins an object split across chunks at every byte', () => {
    const body =
      '{"value":{"type":"STRING","data":"}{ \\" ]"},"headers":[{"name":"h","value":null}]}\n{"x":[1,{"y":2}]}';
    for (let cut = 0; cut <= body.length; cut++) {
      const splitter = new JsonObjectSplitter(1000);
      const first = splitter.push(Buffer.from(body.slice(0, cut)));
      const second = splitter.push(Buffer.from(body.slice(cut)));
      expect(texts([...first.objects, ...second.objects]).map((t) => JSON.parse(t))).toEqual([
        { value: { type: 'STRING', data: '}{ " ]' }, headers: [{ name: 'h', value: null }] },
        { x: [1, { y: 2 }] },
      ]);
      expect(splitter.end()).toBeNull();
    }
  });

  it('treats braces inside strings, and escaped quotes, as text', () => {
    const splitter = new JsonObjectSplitter(1000);
    const result = splitter.push(Buffer.from('{"s":"\\\\"}{"t":"a\\"}b{"}'));
    expect(texts(result.objects)).toEqual(['{"s":"\\\\"}', '{"t":"a\\"}b{"}']);
  });

  it('fails on anything but an object between objects, keeping the objects before it', () => {
    const splitter = new JsonObjectSplitter(1000);
    const result = splitter.push(Buffer.from('{"a":1}\n[1]'));
    expect(result.ok).toBe(false);
    expect(texts(result.objects)).toEqual(['{"a":1}']);
    if (!result.ok) expect(result.message).toMatch(/expected a JSON object at byte 8/);
    expect(splitter.push(Buffer.from('{"b":1}')).ok).toBe(false);
  });

  it('reports a body that ends inside an object', () => {
    const splitter = new JsonObjectSplitter(1000);
    expect(texts(splitter.push(Buffer.from('{"a":1}{"b":')).objects)).toEqual(['{"a":1}']);
    expect(splitter.end()).toMatch(/ended inside a JSON object/);
  });

  it('bounds one object, even one that never ends', () => {
    const whole = new JsonObjectSplitter(10);
    const big = whole.push(Buffer.from('{"a":"0123456789"}'));
    expect(big.ok).toBe(false);
    const endless = new JsonObjectSplitter(10);
    expect(endless.push(Buffer.from('{"a":"01')).ok).toBe(true);
    const more = endless.push(Buffer.from('23456789')); // 18 bytes of one unfinished object
    expect(more.ok).toBe(false);
    if (!more.ok) expect(more.message).toMatch(/larger than 10 bytes/);
  });
});
