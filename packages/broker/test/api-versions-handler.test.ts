/**
 * ApiVersions' features (KIP-584): the finalized `transaction.version` is
 * what tells a client (the Java producer since 4.0) to use transaction
 * version 2; supported ranges whose minimum is 0 only go to v4 requests
 * (older Java clients refuse a minimum of 0, KAFKA-17011). Finalized levels
 * and their epoch come from the metadata image; the broker's flag stands in
 * only while the image has none.
 */
import { ApiKeys, type ApiVersionsResponse, decodeResponseFrame, encodeResponseFrame } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { advertisedFeatures, apiVersionsHandler } from '../src/handlers/api-versions.ts';
import type { RequestContext } from '../src/handlers/handler.ts';

function at(apiVersion: number): RequestContext {
  return { header: { apiKey: 18, apiVersion, correlationId: 1, clientId: 'test' } } as RequestContext;
}

async function answer(transactionVersion: number, apiVersion: number): Promise<ApiVersionsResponse> {
  const noFeatures = { finalizedFeatures: new Map<string, number>(), featuresEpoch: -1n };
  const response = await apiVersionsHandler(served, () => advertisedFeatures(noFeatures, transactionVersion)).handle(
    { clientSoftwareName: 'x', clientSoftwareVersion: '1' },
    at(apiVersion),
  );
  if (response === null) throw new Error('ApiVersions always answers');
  return response;
}

const served = new Set([ApiKeys.Produce, ApiKeys.EndTxn, ApiKeys.ApiVersions]);

describe('ApiVersions features', () => {
  it('without finalized features in the image: the flag level at epoch 0; transaction.version supported only at v4', async () => {
    const v3 = await answer(2, 3);
    expect(v3).toMatchObject({
      finalizedFeaturesEpoch: 0n,
      finalizedFeatures: [{ name: 'transaction.version', maxVersionLevel: 2, minVersionLevel: 2 }],
      supportedFeatures: [{ name: 'metadata.version', minVersion: 25, maxVersion: 25 }],
    });
    const v4 = await answer(2, 4);
    expect(v4.supportedFeatures).toEqual([
      { name: 'metadata.version', minVersion: 25, maxVersion: 25 },
      { name: 'transaction.version', minVersion: 0, maxVersion: 2 },
    ]);
    // The features survive the wire at v3 and v4 (tagged fields), and v0-2 answers simply lack them.
    const header = (apiVersion: number) => ({ apiKey: 18, apiVersion, correlationId: 9, clientId: 'test' });
    for (const version of [3, 4]) {
      const body = version === 3 ? v3 : v4;
      const frame = Buffer.concat(encodeResponseFrame(header(version), body));
      expect(decodeResponseFrame(18, version, frame.subarray(4))).toMatchObject({
        body: { finalizedFeaturesEpoch: 0n, finalizedFeatures: v3.finalizedFeatures },
      });
    }
    const v2 = Buffer.concat(encodeResponseFrame(header(2), v3));
    expect(decodeResponseFrame(18, 2, v2.subarray(4)).body).toMatchObject({
      finalizedFeatures: [],
      apiKeys: v3.apiKeys,
    });
  });

  it('at level 0 no transaction version is finalized; at 1 clients stay on transaction version 1', async () => {
    const zero = await answer(0, 3);
    expect(zero.finalizedFeatures).toEqual([]);
    const one = await answer(1, 3);
    expect(one.finalizedFeatures).toEqual([{ name: 'transaction.version', maxVersionLevel: 1, minVersionLevel: 1 }]);
  });

  it("the image's finalized levels win over the flag, with the offset of the last change as epoch", async () => {
    const image = {
      finalizedFeatures: new Map([
        ['metadata.version', 25],
        ['transaction.version', 1],
      ]),
      featuresEpoch: 42n,
    };
    const response = await apiVersionsHandler(served, () => advertisedFeatures(image, 2)).handle(
      { clientSoftwareName: 'x', clientSoftwareVersion: '1' },
      at(4),
    );
    expect(response).toMatchObject({
      finalizedFeaturesEpoch: 42n,
      finalizedFeatures: [
        { name: 'metadata.version', maxVersionLevel: 25, minVersionLevel: 25 },
        { name: 'transaction.version', maxVersionLevel: 1, minVersionLevel: 1 },
      ],
    });
  });
});
