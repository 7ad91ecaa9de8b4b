/**
 * Every API Runnel defines, by key. Each file holds one API's request and
 * response definitions as data (see ../schema/types.ts). A definition may
 * cover more versions than api-versions-table.ts advertises, and a few APIs
 * here (WriteTxnMarkers, DescribeProducers, DescribeTransactions,
 * ListTransactions) are not advertised at all yet: what the broker serves is
 * what its handlers declare.
 */
import type { ApiDef } from '../schema/types.ts';
import { addOffsetsToTxn } from './add-offsets-to-txn.ts';
import { addPartitionsToTxn } from './add-partitions-to-txn.ts';
import { alterClientQuotas } from './alter-client-quotas.ts';
import { alterConfigs } from './alter-configs.ts';
import { alterPartitionReassignments } from './alter-partition-reassignments.ts';
import { apiVersions } from './api-versions.ts';
import { createAcls } from './create-acls.ts';
import { createPartitions } from './create-partitions.ts';
import { createTopics } from './create-topics.ts';
import { deleteAcls } from './delete-acls.ts';
import { deleteGroups } from './delete-groups.ts';
import { deleteRecords } from './delete-records.ts';
import { deleteTopics } from './delete-topics.ts';
import { describeAcls } from './describe-acls.ts';
import { describeClientQuotas } from './describe-client-quotas.ts';
import { describeCluster } from './describe-cluster.ts';
import { describeConfigs } from './describe-configs.ts';
import { describeGroups } from './describe-groups.ts';
import { describeLogDirs } from './describe-log-dirs.ts';
import { describeProducers } from './describe-producers.ts';
import { describeQuorum } from './describe-quorum.ts';
import { describeTopicPartitions } from './describe-topic-partitions.ts';
import { describeTransactions } from './describe-transactions.ts';
import { electLeaders } from './elect-leaders.ts';
import { endTxn } from './end-txn.ts';
import { fetch } from './fetch.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { incrementalAlterConfigs } from './incremental-alter-configs.ts';
import { initProducerId } from './init-producer-id.ts';
import { joinGroup } from './join-group.ts';
import { leaveGroup } from './leave-group.ts';
import { listGroups } from './list-groups.ts';
import { listOffsets } from './list-offsets.ts';
import { listPartitionReassignments } from './list-partition-reassignments.ts';
import { listTransactions } from './list-transactions.ts';
import { metadata } from './metadata.ts';
import { offsetCommit } from './offset-commit.ts';
import { offsetDelete } from './offset-delete.ts';
import { offsetFetch } from './offset-fetch.ts';
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.ts';
import { produce } from './produce.ts';
import { saslAuthenticate } from './sasl-authenticate.ts';
import { saslHandshake } from './sasl-handshake.ts';
import { syncGroup } from './sync-group.ts';
import { txnOffsetCommit } from './txn-offset-commit.ts';
import { updateFeatures } from './update-features.ts';
import { writeTxnMarkers } from './write-txn-markers.ts';

export const apiDefs: readonly ApiDef[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  txnOffsetCommit,
  describeAcls,
  createAcls,
  deleteAcls,
  describeConfigs,
  alterConfigs,
  saslAuthenticate,
  createPartitions,
  deleteGroups,
  electLeaders,
  incrementalAlterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
  offsetDelete,
  describeClientQuotas,
  alterClientQuotas,
  describeCluster,
  describeProducers,
  describeTransactions,
  listTransactions,
  describeTopicPartitions,
  offsetForLeaderEpoch,
  describeLogDirs,
  describeQuorum,
  updateFeatures,
];
