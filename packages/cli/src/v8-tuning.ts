/**
 * V8 settings the CLI applies to itself at start, before any request
 * arrives (imported first by main.ts; flags that Node only accepts on the
 * command line are in server-node-flags.ts instead).
 *
 * `--external-memory-accounted-in-global-limit`: by default V8 starts a
 * full collection whenever memory outside its heap (Buffers: socket reads,
 * HTTP/2 chunks, frames) has grown ~64 MB past what the last one left,
 * however small the heap; a replicating broker moves that much every few
 * hundred milliseconds, and ran 16–20 full collections per 500 MB of RF=3
 * produce. Counting that memory in the heap's own growth limit took it to
 * 1–6 and the brokers' CPU per record down by about a third, for ~40 MiB
 * more peak RSS (BENCHMARKS.md, "External memory and full collections").
 * Set here rather than on the command line because Node before 24 does not
 * know the flag and would refuse to start, before the bin could say which
 * Node it needs; V8 reads it whenever it computes heap limits, so setting
 * it at start works the same.
 */
import { setFlagsFromString } from 'node:v8';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor >= 24) setFlagsFromString('--external-memory-accounted-in-global-limit');
