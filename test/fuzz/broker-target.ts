/**
 * Fuzz target (d): the whole request path of a real broker in this process
 * (a one-voter quorum and a broker on loopback, test/harness/in-process.ts):
 * framing, decoding, the request processor and the handlers. Inputs are
 * frames of the APIs a client may send that change no cluster metadata
 * (admin requests are left out: a fuzzed CreateTopics would spend the run
 * creating partitions), with bodies aimed at the topic `fuzz` and waits kept
 * short, then damaged as the kafka target damages frames.
 *
 * Each input goes on its own connection. Invariants: nothing throws
 * unhandled in the process; every response on the connection carries the
 * request's correlation id; an undamaged request is answered (except acks=0
 * produce); afterwards a fresh connection's ApiVersions is answered within
 * hangMs, so the broker still serves everyone else.
 */
import { connect, type Socket } from 'node:net';
import type { Random } from '@runnel/common';
import type { ApiDef } from '@runnel/protocol';
import {
  ApiKeys,
  advertisedApis,
  apiDefs,
  decodeRequestFrame,
  ErrorCode,
  encodeRequestFrame,
  notServedApis,
  versionsOf,
} from '@runnel/protocol';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { mutateBytes } from './byte-mutations.ts';
import type { FuzzInput, FuzzTarget, Outcome } from './fuzz-target.ts';
import { InvariantBroken } from './fuzz-target.ts';
import { hangMs } from './http-target.ts';
import { type ApiVersions, badTaggedFields, smashCount, validFrame } from './kafka-request-target.ts';

export const fuzzTopic = 'fuzz';

/** Requests that create, delete or reconfigure cluster metadata: outside this target. */
const adminKeys = new Set<number>([
  ApiKeys.CreateTopics,
  ApiKeys.DeleteTopics,
  ApiKeys.CreatePartitions,
  ApiKeys.DeleteRecords,
  ApiKeys.AlterConfigs,
  ApiKeys.IncrementalAlterConfigs,
  ApiKeys.CreateAcls,
  ApiKeys.DeleteAcls,
  ApiKeys.ElectLeaders,
  ApiKeys.AlterPartitionReassignments,
  ApiKeys.UpdateFeatures,
  ApiKeys.WriteTxnMarkers,
]);

const notServed = new Set(notServedApis.map((a) => a.apiKey));

/** The APIs a client may send that the broker serves, at the versions it advertises. */
const clientApis: readonly ApiVersions[] = advertisedApis
  .filter((a) => !adminKeys.has(a.apiKey) && !notServed.has(a.apiKey))
  .flatMap((a) => {
    const api = apiDefs.find((d: ApiDef) => d.apiKey === a.apiKey);
    if (api === undefined) return [];
    const versions = versionsOf(api.request.validVersions).filter((v) => v >= a.minVersion && v <= a.maxVersion);
    return [{ api, versions }];
  });

const waitField = /(maxWaitMs|timeoutMs|TimeoutMs)$/;
const topicField = /^(name|topic|topicName)$/;

/** Aims names at the fuzz topic and keeps every wait short, so an undamaged request is answered at once. */
function shape(value: unknown, rng: Random): void {
  if (Array.isArray(value)) {
    for (const item of value) shape(item, rng);
    return;
  }
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (waitField.test(key) && typeof field === 'number') record[key] = rng.int(0, 50);
    else if (key === 'acks' && typeof field === 'number') record[key] = rng.pick([-1, 0, 1]);
    else if (topicField.test(key) && typeof field === 'string' && rng.bool(0.7)) record[key] = fuzzTopic;
    else shape(field, rng);
  }
}

/** Input bytes: flag byte (1 = undamaged) then the frame after its size prefix. */
export function generateBrokerRequest(rng: Random): FuzzInput {
  const { frame, flexible } = validFrame(rng, clientApis, (body, r) => shape(body, r));
  const mode = rng.int(0, 99);
  const damaged =
    mode < 25
      ? frame
      : mode < 45
        ? smashCount(rng, frame, flexible)
        : mode < 60 && flexible
          ? badTaggedFields(rng, frame)
          : mutateBytes(rng, frame);
  return { bytes: damaged, valid: mode < 25 };
}

/** What came back on one connection: response frames (after their size prefix) and whether it closed. */
class Exchange {
  readonly frames: Buffer[] = [];
  closed = false;
  #buffered = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffered = Buffer.concat([this.#buffered, chunk]);
      while (this.#buffered.length >= 4 && this.#buffered.length >= 4 + this.#buffered.readInt32BE(0)) {
        const size = this.#buffered.readInt32BE(0);
        this.frames.push(this.#buffered.subarray(4, 4 + size));
        this.#buffered = this.#buffered.subarray(4 + size);
      }
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Exchange(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves once `done()` holds, or rejects after hangMs: the deadline is the hang detector. */
  until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        reject(new InvariantBroken(`${what}: nothing within ${hangMs} ms`));
      }, hangMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      this.#wake = check;
      check();
    });
  }
}

function sized(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

const probeCorrelationId = 424242;
const probe = Buffer.concat(
  encodeRequestFrame(
    { apiKey: ApiKeys.ApiVersions, apiVersion: 3, correlationId: probeCorrelationId, clientId: 'probe' },
    {
      clientSoftwareName: 'fuzz',
      clientSoftwareVersion: '1',
    },
  ),
);

interface Running {
  cluster: InProcessCluster;
  port: number;
  /** Uncaught exceptions and unhandled rejections since the last input. */
  escaped: string[];
}

async function start(): Promise<Running> {
  const escaped: string[] = [];
  process.on('uncaughtException', (e) => escaped.push(`uncaught ${String(e)}`));
  process.on('unhandledRejection', (e) => escaped.push(`unhandled rejection ${String(e)}`));
  const cluster = await startInProcess({ groupInitialRebalanceDelayMs: 0 });
  const client = await ProtocolClient.connect(cluster.broker.port);
  try {
    const code = await client.createTopic(fuzzTopic, 3);
    if (code !== ErrorCode.NONE) throw new Error(`creating ${fuzzTopic}: error ${code}`);
  } finally {
    client.close();
  }
  return { cluster, port: cluster.broker.port, escaped };
}

function correlationIdOf(frame: Buffer): number {
  return frame.length >= 4 ? frame.readInt32BE(0) : Number.NaN;
}

/** Produce with acks=0 gets no answer, in Kafka as here. */
function expectsAnswer(frame: Buffer): boolean {
  const decoded = decodeRequestFrame(frame);
  if (!decoded.ok) return false;
  if (decoded.header.apiKey !== ApiKeys.Produce) return true;
  return (decoded.body as { acks?: number }).acks !== 0;
}

async function runOne(running: Running, input: FuzzInput): Promise<Outcome> {
  const fuzzed = await Exchange.open(running.port);
  let outcome: Outcome = 'rejected';
  try {
    fuzzed.socket.write(sized(input.bytes));
    const correlationId = input.bytes.length >= 8 ? input.bytes.readInt32BE(4) : Number.NaN;
    if (input.valid && expectsAnswer(input.bytes)) {
      await fuzzed.until(() => fuzzed.frames.length > 0 || fuzzed.closed, 'an undamaged request');
      if (fuzzed.frames.length === 0) throw new InvariantBroken('an undamaged request: connection closed unanswered');
      outcome = 'accepted';
    }
    for (const frame of fuzzed.frames) {
      if (correlationIdOf(frame) !== correlationId) {
        throw new InvariantBroken(`answered correlation id ${correlationIdOf(frame)} to request ${correlationId}`);
      }
    }
  } finally {
    fuzzed.socket.destroy();
  }
  // Whatever the fuzzed connection did, the broker must still serve a new one.
  const prober = await Exchange.open(running.port);
  try {
    prober.socket.write(probe);
    await prober.until(() => prober.frames.length > 0 || prober.closed, 'ApiVersions after the input');
    if (correlationIdOf(prober.frames[0] ?? Buffer.alloc(0)) !== probeCorrelationId) {
      throw new InvariantBroken('ApiVersions after the input went unanswered');
    }
  } finally {
    prober.socket.destroy();
  }
  const escaped = running.escaped.splice(0);
  if (escaped.length > 0) throw new InvariantBroken(escaped.join('; '));
  return outcome;
}

export function brokerTarget(): FuzzTarget {
  let running: Promise<Running> | undefined;
  return {
    name: 'broker',
    measuresAllocation: false,
    allocationBytesMax: () => Number.POSITIVE_INFINITY,
    generate: generateBrokerRequest,
    async run(input: FuzzInput): Promise<Outcome> {
      running ??= start();
      return runOne(await running, input);
    },
    async close(): Promise<void> {
      if (running === undefined) return;
      await (await running).cluster.stop();
    },
  };
}
