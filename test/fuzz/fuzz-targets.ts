/**
 * The fuzz targets by name, and how a run's inputs are shared among them
 * when no single target is asked for: the cheap decoders get most, the HTTP
 * servers (milliseconds per input, through Fastify and real sockets) few.
 */
import { brokerTarget } from './broker-target.ts';
import type { FuzzTarget, TargetName } from './fuzz-target.ts';
import { grpcTarget } from './grpc-target.ts';
import { httpTarget } from './http-target.ts';
import { kafkaRequestTarget } from './kafka-request-target.ts';
import { recordBatchTarget } from './record-batch-target.ts';

export function createTarget(name: TargetName): FuzzTarget {
  switch (name) {
    case 'kafka':
      return kafkaRequestTarget();
    case 'batch':
      return recordBatchTarget();
    case 'grpc':
      return grpcTarget();
    case 'http':
      return httpTarget();
    case 'broker':
      return brokerTarget();
  }
}

/**
 * The broker target starts a whole broker and costs milliseconds per input,
 * so it runs only when asked for (`--target broker`).
 */
export const inputShares: Readonly<Record<TargetName, number>> = {
  kafka: 0.5,
  batch: 0.3,
  grpc: 0.18,
  http: 0.02,
  broker: 0,
};

/** `inputs` split by the shares (the remainder to the first target), or all of it to the one target asked for. */
export function inputsPerTarget(inputs: number, only?: TargetName): [TargetName, number][] {
  if (only !== undefined) return [[only, inputs]];
  const split = (Object.entries(inputShares) as [TargetName, number][]).map(([name, share]): [TargetName, number] => [
    name,
    Math.floor(inputs * share),
  ]);
  const first = split[0];
  if (first !== undefined) first[1] += inputs - split.reduce((n, [, count]) => n + count, 0);
  return split;
}
