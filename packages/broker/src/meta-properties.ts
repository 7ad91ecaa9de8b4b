/**
 * `meta.properties` in the data directory, as Kafka (KRaft) keeps it: which
 * cluster this directory belongs to and which node wrote it.
 *
 *   version=1
 *   node.id=3
 *   cluster.id=MkU3OEVBNTcwNTJENDM2Qg
 *   directory.id=J8aAPcfLQt2bqs1JT_rMgQ
 *
 * Java properties text, the subset Kafka writes: one `key=value` (or
 * `key: value`) a line, blank lines and `#`/`!` comments ignored, keys
 * Runnel does not know ignored. `directory.id` (KIP-858) is optional on
 * read: Runnel wrote files without it while brokers made up their own
 * cluster ids, so its absence marks such a file. Only version 1
 * is understood; ZooKeeper-era version 0 files are refused.
 *
 * Read and written through the FileSystem seam; written atomically (temp
 * file, fsync, rename, fsync of the directory). I/O errors reject; a file
 * that is there but not a version-1 meta.properties is `malformed`, with
 * the reason in `message`, and the caller refuses to guess an identity.
 */
import { join } from 'node:path';
import { err, ok, type Result } from '@runnel/common';
import { type FileSystem, readWholeFile, replaceFile } from '@runnel/storage';

export const metaPropertiesFileName = 'meta.properties';

export interface MetaProperties {
  readonly nodeId: number;
  readonly clusterId: string;
  /** This log directory's own id; null in files written before the quorum assigned cluster ids. */
  readonly directoryId: string | null;
}

/** Kafka's properties files are a few hundred bytes; anything this big is not one. */
const metaPropertiesBytesMax = 64 * 1024;
const clusterIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function formatMetaProperties(meta: MetaProperties): string {
  const directory = meta.directoryId === null ? '' : `directory.id=${meta.directoryId}\n`;
  return `version=1\nnode.id=${meta.nodeId}\ncluster.id=${meta.clusterId}\n${directory}`;
}

export function parseMetaProperties(text: string): Result<MetaProperties, 'malformed'> {
  const fields = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const separator = line.search(/[=:]/);
    if (separator <= 0) return err('malformed', `not a key=value line: ${JSON.stringify(line)}`);
    const key = line.slice(0, separator).trim();
    if (fields.has(key)) return err('malformed', `${key} appears twice`);
    fields.set(key, line.slice(separator + 1).trim());
  }
  const version = fields.get('version');
  if (version !== '1') return err('malformed', version === undefined ? 'no version' : `unsupported version ${version}`);
  const nodeId = fields.get('node.id');
  if (nodeId === undefined || !/^\d{1,9}$/.test(nodeId)) return err('malformed', 'node.id is missing or not a node id');
  const clusterId = fields.get('cluster.id');
  if (clusterId === undefined || !clusterIdPattern.test(clusterId)) {
    return err('malformed', 'cluster.id is missing or not a cluster id');
  }
  const directoryId = fields.get('directory.id') ?? null;
  if (directoryId !== null && !clusterIdPattern.test(directoryId)) return err('malformed', 'directory.id is not an id');
  return ok({ nodeId: Number(nodeId), clusterId, directoryId });
}

/** The data directory's meta.properties: `absent` on a fresh directory, `malformed` (with the reason) if unusable. */
export async function readMetaProperties(
  fs: FileSystem,
  dataDir: string,
): Promise<Result<MetaProperties, 'absent' | 'malformed'>> {
  const read = await readWholeFile(fs, join(dataDir, metaPropertiesFileName), metaPropertiesBytesMax);
  if (read.ok) return parseMetaProperties(read.value.toString('utf8'));
  return read.error === 'absent' ? err('absent') : err('malformed', `larger than ${metaPropertiesBytesMax} bytes`);
}

/** Replaces the data directory's meta.properties durably and atomically. */
export async function writeMetaProperties(fs: FileSystem, dataDir: string, meta: MetaProperties): Promise<void> {
  await replaceFile(fs, join(dataDir, metaPropertiesFileName), Buffer.from(formatMetaProperties(meta), 'utf8'));
}
