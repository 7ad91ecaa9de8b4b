import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { apiDefs, decodeMessage, encodeMessage, versionsOf } from '../src/index.ts';
import { randomMessage } from './random-message.ts';

describe('interpreted codec round trip', () => {
  it('decode(encode(x)) matches x for random messages of every API, version and direction', () => {
    const seed = 20240611;
    const rng = new Random(seed);
    let checked = 0;
    for (const api of apiDefs) {
      for (const def of [api.request, api.response]) {
        for (const version of versionsOf(def.validVersions)) {
          for (let i = 0; i < 25; i++) {
            const value = randomMessage(rng, def, version);
            const where = `${def.name} v${version} sample ${i} (seed ${seed})`;
            const bytes = Buffer.concat(encodeMessage(def, version, value));
            const decoded = decodeMessage(def, version, bytes);
            // Fields absent at this version come back as defaults; the rest must match exactly.
            expect(decoded, where).toMatchObject(value);
            // Re-encoding the decoded form (defaults included) gives the same bytes.
            expect(Buffer.concat(encodeMessage(def, version, decoded)).equals(bytes), where).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
