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
 *
 * The pattern comes from the client and is matched against ids clients
 * chose too, so it runs on RE2 (re2js): linear time, no catastrophic
 * backtracking to stall the broker's event loop. RE2 has no backreferences
 * or lookaround; such a pattern is INVALID_REGULAR_EXPRESSION here (Java
 * would accept it).
 */
import { ErrorCode } from '@runnel/protocol';
import { RE2JS } from 're2js';
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
  let pattern: RE2JS | null = null;
  if (filter.transactionalIdPattern !== null && filter.transactionalIdPattern !== '') {
    try {
      pattern = RE2JS.compile(filter.transactionalIdPattern);
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
      (pattern === null || pattern.matches(t.transactionalId)),
  );
  return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions: kept };
}
