/**
 * Finalized features (KIP-584) against a real `runnel dev` process: a new
 * cluster finalizes metadata.version 25 and transaction.version 2 in its
 * metadata log, and ApiVersions v3+ lists them with the offset of the last
 * change as epoch; UpdateFeatures (@platformatic/kafka's v1 API, raw v0
 * and v2) validates without writing, downgrades transaction.version (the
 * epoch moves, and a restart keeps it), and refuses what Kafka refuses with
 * INVALID_UPDATE_VERSION.
 */
import { Connection, updateFeaturesV1 } from '@platformatic/kafka';
import { ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function raw<T>(fn: (client: ProtocolClient) => Promise<T>): Promise<T> {
  const client = await ProtocolClient.connect(dev.port);
  try {
    return await fn(client);
  } finally {
    client.socket.close();
  }
}

async function finalized(): Promise<{ epoch: bigint; levels: Record<string, number> }> {
  const response = await raw((c) =>
    c.request(18, 3, { clientSoftwareName: 'features-test', clientSoftwareVersion: '1' }),
  );
  return {
    epoch: response.finalizedFeaturesEpoch ?? -1n,
    levels: Object.fromEntries((response.finalizedFeatures ?? []).map((f) => [f.name, f.maxVersionLevel])),
  };
}

async function updateV1(feature: string, level: number, upgradeType: 1 | 2 | 3, validateOnly: boolean) {
  const connection = new Connection('features-test');
  await connection.connect('127.0.0.1', dev.port);
  try {
    return await updateFeaturesV1.api.async(
      connection,
      10_000,
      [{ feature, maxVersionLevel: level, upgradeType }],
      validateOnly,
    );
  } catch (error) {
    // The client throws on a refusal; the response it refused is on the error.
    const response = (error as { response?: unknown }).response;
    if (response === undefined) throw error;
    return response as Awaited<ReturnType<typeof updateFeaturesV1.api.async>>;
  } finally {
    await connection.close();
  }
}

describe('finalized features', () => {
  it('a new cluster finalizes metadata.version 25 and transaction.version 2, at a metadata offset', async () => {
    const now = await finalized();
    expect(now.levels).toEqual({ 'metadata.version': 25, 'transaction.version': 2 });
    expect(now.epoch).toBeGreaterThan(0n);
  });

  it('validateOnly writes nothing; a safe downgrade of transaction.version moves the level and the epoch, and survives a restart', async () => {
    const before = await finalized();
    const checked = await updateV1('transaction.version', 1, 2, true);
    expect(checked.errorCode).toBe(ErrorCode.NONE);
    expect(await finalized()).toEqual(before);
    const done = await updateV1('transaction.version', 1, 2, false);
    expect(done).toMatchObject({
      errorCode: ErrorCode.NONE,
      results: [{ feature: 'transaction.version', errorCode: 0 }],
    });
    const after = await finalized();
    expect(after.levels['transaction.version']).toBe(1);
    expect(after.epoch).toBeGreaterThan(before.epoch);
    await dev.kill('SIGTERM');
    await dev.restart();
    expect(await finalized()).toEqual(after);
    // Back up, as an upgrade.
    expect((await updateV1('transaction.version', 2, 1, false)).errorCode).toBe(ErrorCode.NONE);
    expect((await finalized()).levels['transaction.version']).toBe(2);
  });

  it('refuses a lower level asked as an upgrade, a level no broker supports, any metadata.version change, an unknown feature', async () => {
    const before = await finalized();
    for (const [feature, level, type] of [
      ['transaction.version', 1, 1],
      ['transaction.version', 3, 1],
      ['metadata.version', 24, 3],
      ['metadata.version', 27, 1],
      ['no.such.feature', 1, 1],
    ] as const) {
      const refused = await updateV1(feature, level, type, false);
      expect(refused.errorCode, `${feature}=${level}`).toBe(ErrorCode.INVALID_UPDATE_VERSION);
      expect(refused.errorMessage).toEqual(expect.any(String));
    }
    expect(await finalized()).toEqual(before);
  });

  it('raw v0 (allowDowngrade) and v2 (no per-feature results) work too', async () => {
    const v0 = await raw((c) =>
      c.request(57, 0, {
        timeoutMs: 5000,
        featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 1, allowDowngrade: true }],
      }),
    );
    expect(v0.errorCode).toBe(ErrorCode.NONE);
    const v2 = await raw((c) =>
      c.request(57, 2, {
        timeoutMs: 5000,
        featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 2, upgradeType: 1 }],
        validateOnly: false,
      }),
    );
    // v2 has no results field: decoding leaves it empty.
    expect(v2).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: [] });
    expect((await finalized()).levels['transaction.version']).toBe(2);
  });
});
