/**
 * Finding a coordinator (FindCoordinator) and running a call on it, for the
 * group admin (key type 0, a group id) and the transactions admin (key type
 * 1, a transactional id). While the coordinator moves or loads (and while
 * the brokers create its internal topic on first use) the answer is one of
 * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS:
 * those are retried, with backoff, until the wait has passed.
 *
 * FindCoordinator v4+ (KIP-699) asks for a batch of keys and answers one
 * coordinator per key; below v4 one key and one answer. askCoordinator
 * speaks whichever version the connection negotiated, one key at a time.
 */
import { ApiKeys, ErrorCode } from '@runnel/protocol';
import type { BrokerAddress } from './bootstrap.ts';
import type { Connection } from './connection.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';

/** FindCoordinator's key types. */
export const CoordinatorKeyType = { group: 0, transaction: 1 } as const;
export type CoordinatorKeyType = (typeof CoordinatorKeyType)[keyof typeof CoordinatorKeyType];

export const coordinatorMovingCodes: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

const backoffMsMax = 1000;

export interface CoordinatorKey {
  readonly key: string;
  readonly keyType: CoordinatorKeyType;
  /** How long a moving coordinator is waited for. */
  readonly waitMs: number;
}

/** One key's FindCoordinator answer, whatever the version: node -1 with the error when there is none. */
export interface CoordinatorAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** The first FindCoordinator version that takes a batch of keys. */
const batchedVersion = 4;

/** FindCoordinator for one key on `connection`, at the version it negotiated (the batched form from v4). */
export async function askCoordinator(
  connection: Connection,
  keyType: CoordinatorKeyType,
  key: string,
): Promise<CoordinatorAnswer> {
  if ((connection.versionOf(ApiKeys.FindCoordinator) ?? 0) < batchedVersion) {
    const r = await connection.request(ApiKeys.FindCoordinator, { key, keyType });
    const { errorCode = ErrorCode.NONE, errorMessage = null, nodeId = -1, host = '', port = -1 } = r;
    return { errorCode, errorMessage, nodeId, host, port };
  }
  const r = await connection.request(ApiKeys.FindCoordinator, { keyType, coordinatorKeys: [key] });
  const answer = r.coordinators?.find((c) => c.key === key);
  if (answer === undefined) throw new ConnectionError('malformed_response', `FindCoordinator lacks key ${key}`);
  return { ...answer, errorMessage: answer.errorMessage ?? null };
}

/** The coordinator's node id and connection; throws KafkaError once the wait is spent. */
export async function findCoordinator(
  client: KafkaClient,
  target: CoordinatorKey,
): Promise<{ nodeId: number; connection: Connection }> {
  const deadline = Date.now() + target.waitMs;
  for (let attempt = 0; ; attempt++) {
    const any = await client.anyConnection();
    const response = await askCoordinator(any, target.keyType, target.key);
    if (response.errorCode === ErrorCode.NONE) {
      const address: BrokerAddress = { host: response.host, port: response.port };
      return { nodeId: response.nodeId, connection: await client.connectionTo(address) };
    }
    if (!coordinatorMovingCodes.has(response.errorCode) || Date.now() > deadline) {
      throw new KafkaError(response.errorCode, response.errorMessage);
    }
    await backoff(attempt);
  }
}

/** Runs `call` on the coordinator, again after a backoff while the answer says the coordinator moved. */
export async function onCoordinator<T extends { errorCode: number }>(
  client: KafkaClient,
  target: CoordinatorKey,
  call: (connection: Connection, coordinator: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + target.waitMs;
  for (let attempt = 0; ; attempt++) {
    const { nodeId, connection } = await findCoordinator(client, target);
    const result = await call(connection, nodeId);
    if (!coordinatorMovingCodes.has(result.errorCode) || Date.now() > deadline) return result;
    await backoff(attempt);
  }
}

/**
 * InitProducerId for a transactional id on its coordinator: a new epoch
 * for the id (a new producer id the first time), fencing every earlier
 * holder. `check` runs on the coordinator's connection first (a version
 * requirement). The answer's error code is the caller's to read.
 */
export function initProducerId(
  client: KafkaClient,
  options: {
    transactionalId: string;
    transactionTimeoutMs: number;
    waitMs: number;
    check?: (connection: Connection) => void;
  },
) {
  const target = { key: options.transactionalId, keyType: CoordinatorKeyType.transaction, waitMs: options.waitMs };
  return onCoordinator(client, target, async (connection) => {
    options.check?.(connection);
    return connection.request(ApiKeys.InitProducerId, {
      transactionalId: options.transactionalId,
      transactionTimeoutMs: options.transactionTimeoutMs,
      producerId: -1n,
      producerEpoch: -1,
    });
  });
}

export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(backoffMsMax, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
