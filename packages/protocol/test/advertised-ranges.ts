/**
 * The check the per-area definition tests run over their compat tables: an
 * API's request and response agree with the table on key, valid versions and
 * flexible versions, and are of the right kinds.
 */
import { expect, test } from 'vitest';
import type { ApiDef } from '../src/schema/types.ts';

/** [api, apiKey, validVersions, flexibleVersions], as the compat table lists them. */
export type AdvertisedRange = readonly [ApiDef, number, string, string];

/** Registers one test per row; call it inside a describe. */
export function testAdvertisedRanges(table: readonly AdvertisedRange[]): void {
  test.each(table)('%# request and response share key, range and flexible versions', (api, key, range, flexible) => {
    for (const m of [api.request, api.response]) {
      expect([m.apiKey, m.validVersions, m.flexibleVersions]).toEqual([key, range, flexible]);
    }
    expect(api.apiKey).toBe(key);
    expect([api.request.kind, api.response.kind]).toEqual(['request', 'response']);
  });
}
