import { MemoryStorage, RawNode } from '@runnel/raft';
import type { RaftImplementation } from './raft-seam.ts';

/** The real thing: @runnel/raft's RawNode over its MemoryStorage, rebuilt from a node's durable image. */
export const rawNodeImplementation: RaftImplementation = {
  createStorage(image) {
    const storage = new MemoryStorage(image.snapshot.metadata.confState);
    if (image.snapshot.metadata.index > 0) storage.applySnapshot(image.snapshot);
    storage.append(image.entries);
    storage.setHardState(image.hardState);
    return storage;
  },
  createNode(config) {
    return new RawNode(config);
  },
};
