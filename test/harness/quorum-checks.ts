/** What the controller-quorum tests check after a voter has caught up: the quorum outlives its leader. */
import type { Admin } from 'kafkajs';
import { expect } from 'vitest';
import type { TestCluster } from './cluster.ts';
import { waitFor } from './wait.ts';

/**
 * SIGKILLs the active controller `leader` and checks that the two
 * `survivors` elect one of them, create `newTopic` and list it with every
 * one of `topics`, and converge on one metadata offset past `sinceOffset`.
 */
export async function expectQuorumOutlivesLeader(
  cluster: TestCluster,
  admin: Admin,
  options: {
    leader: number;
    survivors: [number, number];
    newTopic: string;
    topics: readonly string[];
    sinceOffset: number;
  },
): Promise<void> {
  const [caughtUp, other] = options.survivors;
  await cluster.kill('controller', options.leader, 'SIGKILL');
  const next = await cluster.waitForActiveController({ other: options.leader });
  expect([caughtUp, other]).toContain(next);
  expect(await admin.createTopics({ topics: [{ topic: options.newTopic }] })).toBe(true);
  const listed = await admin.listTopics();
  for (const topic of [...options.topics, options.newTopic]) expect(listed).toContain(topic);
  // Both survivors hold the same image, whichever of them leads.
  await waitFor(
    async () => (await cluster.controllerMetadataOffset(caughtUp)) === (await cluster.controllerMetadataOffset(other)),
    { what: 'both survivors at the same metadata offset' },
  );
  expect(await cluster.controllerMetadataOffset(caughtUp)).toBeGreaterThan(options.sinceOffset);
}
