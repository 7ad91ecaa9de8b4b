/**
 * ListGroups' filters (v4 states, KIP-518; v5 types, KIP-848) as pure
 * decisions. Every Runnel group is a classic group; its states are Kafka's
 * classic states under Kafka's names. Kafka compares filter values without
 * regard to case or surrounding spaces, and an empty filter lets every
 * group through; a type Kafka does not know matches nothing.
 */
import type { GroupListing } from './group-api.ts';

/** The type ListGroups v5 and DescribeGroups report for every group Runnel coordinates. */
export const classicGroupType = 'classic';

export interface ListGroupsFilter {
  /** Empty: every state. */
  readonly states: readonly string[];
  /** Empty: every type. */
  readonly types: readonly string[];
}

function normalized(values: readonly string[]): Set<string> {
  return new Set(values.map((v) => v.trim().toLowerCase()));
}

/** The listings that pass both filters, in the order given. */
export function filterGroupListings(groups: readonly GroupListing[], filter: ListGroupsFilter): GroupListing[] {
  const states = normalized(filter.states);
  const types = normalized(filter.types);
  return groups.filter(
    (g) =>
      (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(classicGroupType)),
  );
}
