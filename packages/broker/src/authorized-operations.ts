/**
 * The authorized-operations bit fields Kafka answers when a client asks
 * for them (Metadata v8+, DescribeCluster, DescribeTopicPartitions) and no
 * authorizer is configured: every operation the resource type supports,
 * each as bit `1 << code` of Kafka's ACL operation codes. Runnel has no
 * authorizer, so that is always the answer; when nothing was asked,
 * INT32_MIN ("not provided"). librdkafka's and the Java admin client's
 * describe calls read these fields when asked to include them.
 */

/** Kafka's ACL operation codes (AclOperation). */
const op = {
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  clusterAction: 9,
  describeConfigs: 10,
  alterConfigs: 11,
  idempotentWrite: 12,
} as const;

/** The "authorized operations not provided" marker (Integer.MIN_VALUE). */
export const authorizedOperationsOmitted = -2147483648;

function bitField(codes: readonly number[]): number {
  return codes.reduce((bits, code) => bits | (1 << code), 0);
}

/** What Kafka supports on a topic: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
export const topicAuthorizedOperations = bitField([
  op.read,
  op.write,
  op.create,
  op.delete,
  op.alter,
  op.describe,
  op.describeConfigs,
  op.alterConfigs,
]);

/** What Kafka supports on the cluster: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
export const clusterAuthorizedOperations = bitField([
  op.create,
  op.alter,
  op.describe,
  op.clusterAction,
  op.describeConfigs,
  op.alterConfigs,
  op.idempotentWrite,
]);

/** The field's value: the supported set when the client asked, else the "not provided" marker. */
export function authorizedOperations(kind: 'topic' | 'cluster', requested: boolean): number {
  if (!requested) return authorizedOperationsOmitted;
  return kind === 'topic' ? topicAuthorizedOperations : clusterAuthorizedOperations;
}
