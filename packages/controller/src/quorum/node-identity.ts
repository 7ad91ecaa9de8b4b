/**
 * A controller's identity file (`<data dir>/controller.properties`), written
 * once the node's first start has saved its configuration, checked on every
 * later one. It catches a data directory reused under another node id, and
 * tells a first start (no file) from a Raft store that was lost or moved
 * aside (file present, store without even a configuration). A node that
 * lost its store may have voted and acknowledged entries it no longer
 * remembers, so it comes back rejoining (RaftConfig.rejoining) rather than
 * as a fresh voter; a sole voter has nobody to copy from and refuses.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export type IdentityError = 'node_id_mismatch' | 'store_lost';

/** How this start relates to earlier ones. */
export type StartKind = 'first-start' | 'restart' | 'store-lost';

const fileName = 'controller.properties';

/**
 * Reads the identity file (writing nothing). `storeIsEmpty`: the Raft store
 * holds no entries, term, snapshot or configuration. `soleVoter`: this node
 * is the quorum's only voter.
 */
export async function checkNodeIdentity(
  dataDir: string,
  nodeId: number,
  storeIsEmpty: boolean,
  soleVoter: boolean,
): Promise<Result<StartKind, IdentityError>> {
  let text: string | null = null;
  try {
    text = await readFile(join(dataDir, fileName), 'utf8');
  } catch {
    text = null;
  }
  if (text === null) return ok('first-start');
  const recorded = /^node\.id=(\d+)$/m.exec(text)?.[1];
  if (recorded !== undefined && Number(recorded) !== nodeId) {
    return err(
      'node_id_mismatch',
      `${dataDir} belongs to controller ${recorded}, not ${nodeId}: give this node its own --data-dir, or start it with --node-id ${recorded}`,
    );
  }
  if (!storeIsEmpty) return ok('restart');
  if (soleVoter) {
    return err(
      'store_lost',
      `the Raft store in ${join(dataDir, 'raft')} is empty although controller ${nodeId} has run from it before, ` +
        `and this controller is the only voter, so there is no leader to copy the log from: the cluster's metadata ` +
        `(topics, configs, __consumer_offsets and the rest) is lost unless you restore that directory from a backup. ` +
        `To start a new, empty cluster instead, delete ${dataDir} (and the brokers' data, whose partitions the new ` +
        `metadata will not know). See docs/controller-store.md`,
    );
  }
  return ok('store-lost');
}

/** Records this node's id; call once its first start has saved its configuration. */
export async function recordNodeIdentity(dataDir: string, nodeId: number): Promise<void> {
  await writeFile(join(dataDir, fileName), `version=1\nnode.id=${nodeId}\n`);
}
