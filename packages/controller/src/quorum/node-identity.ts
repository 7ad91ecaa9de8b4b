/**
 * A controller's identity file (`<data dir>/controller.properties`), written
 * on first start, checked on every later one. It catches two operator
 * mistakes Raft cannot survive: a data directory reused under another node
 * id, and a Raft store that lost its contents (a node that voted or
 * acknowledged entries must never come back empty — it could vote twice or
 * forget committed entries).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export type IdentityError = 'node_id_mismatch' | 'store_lost';

const fileName = 'controller.properties';

export async function checkNodeIdentity(
  dataDir: string,
  nodeId: number,
  storeIsEmpty: boolean,
): Promise<Result<{ firstStart: boolean }, IdentityError>> {
  const path = join(dataDir, fileName);
  let text: string | null = null;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = null;
  }
  if (text === null) {
    await writeFile(path, `version=1\nnode.id=${nodeId}\n`);
    return ok({ firstStart: true });
  }
  const recorded = /^node\.id=(\d+)$/m.exec(text)?.[1];
  if (recorded !== undefined && Number(recorded) !== nodeId) {
    return err(
      'node_id_mismatch',
      `${dataDir} belongs to controller ${recorded}, not ${nodeId}: give this node its own --data-dir, or start it with --node-id ${recorded}`,
    );
  }
  if (storeIsEmpty) {
    return err(
      'store_lost',
      `the Raft store in ${dataDir} is empty although controller ${nodeId} has run from it before (its log or votes were lost): ` +
        `do not restart it as is; delete ${dataDir} entirely and start it again only if the other controllers still form a quorum`,
    );
  }
  return ok({ firstStart: false });
}
