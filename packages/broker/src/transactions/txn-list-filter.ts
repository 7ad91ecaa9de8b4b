/**
 * ListTransactions' filters (KIP-664, KIP-994, KIP-1152) as one pure
 * function over a coordinator's transactions. Kafka's meaning:
 * - state filters: keep the named states only (none given: every state);
 *   names Kafka does not know come back in `unknownStateFilters`;
 * - producer id filters: keep those producer ids only (none: all);
 * - duration filter (v1+), >= 0: keep transactions running longer than it,
 *   measured from their start time (-1: no filter); an id with no open
 *   transaction (start -1) is not running and never passes it;
 * - transactional id pattern (v2+): keep ids the regular expression matches
 *   as a whole (Java's `matches`), INVALID_REGULAR_EXPRESSION when it does
 *   not compile. Null or empty: no filter.
 */
import { ErrorCode } from '@runnel/protocol';
import { transactionStates } from './transaction-records.ts';
import type { TransactionDescription } from './txn-api.ts';

/** Kafka's transaction state names, as DescribeTransactions and ListTransactions spell them. */
const transactionStateNames: ReadonlySet<string> = new Set(transactionStates);

export interface TransactionListFilter {
  readonly states: readonly string[];
  readonly producerIds: readonly bigint[];
  /** -1 (or any negative): no duration filter. */
  readonly durationMs: bigint;
  readonly transactionalIdPattern: string | null;
}

export interface FilteredTransactions {
  readonly errorCode: number;
  readonly unknownStateFilters: readonly string[];
  readonly transactions: readonly TransactionDescription[];
}

export function filterTransactions(
  transactions: readonly TransactionDescription[],
  filter: TransactionListFilter,
  nowMs: number,
): FilteredTransactions {
  const unknownStateFilters = filter.states.filter((s) => !transactionStateNames.has(s));
  let pattern: RegExp | null = null;
  if (filter.transactionalIdPattern !== null && filter.transactionalIdPattern !== '') {
    try {
      // The `u` flag makes JavaScript reject what Java would too (stray escapes, lone braces).
      pattern = new RegExp(`^(?:${filter.transactionalIdPattern})$`, 'u');
    } catch {
      return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters, transactions: [] };
    }
  }
  const states = new Set(filter.states);
  const producerIds = new Set(filter.producerIds);
  const kept = transactions.filter(
    (t) =>
      t.state !== 'Dead' &&
      (states.size === 0 || states.has(t.state)) &&
      (producerIds.size === 0 || producerIds.has(t.producerId)) &&
      (filter.durationMs < 0n || (t.startTimestampMs >= 0 && BigInt(nowMs - t.startTimestampMs) > filter.durationMs)) &&
      (pattern === null || pattern.test(t.transactionalId)),
  );
  return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions: kept };
}
