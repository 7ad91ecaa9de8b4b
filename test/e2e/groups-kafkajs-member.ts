/**
 * One kafkajs group member as its own process, so a test can SIGKILL it: a
 * real crash, with no LeaveGroup and no last commit. It subscribes to one
 * topic from the beginning, auto-commits every MEMBER_COMMIT_MS, and prints
 * one JSON line per event on stdout (`t` = wall clock ms, comparable across
 * processes on one machine):
 *   {"e":"join","t","memberId","partitions":[...]}   after each SyncGroup
 *   {"e":"rec","t","p","o","v"}                      each record handed to the app
 *   {"e":"commit","t","p","o"}                       after the coordinator accepted a commit
 *   {"e":"crash","t","error"}                        kafkajs gave up and restarts the consumer
 * SIGTERM disconnects (LeaveGroup) and exits 0.
 *
 * Run by GroupMemberProcess (groups-member-process.ts); configured by env.
 */
import { Kafka, logLevel } from 'kafkajs';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, t: Date.now() })}\n`);
}

const topic = env('MEMBER_TOPIC');
const sessionTimeout = Number(env('MEMBER_SESSION_MS'));
const kafka = new Kafka({
  brokers: env('MEMBER_BOOTSTRAP').split(','),
  clientId: env('MEMBER_NAME'),
  logLevel: logLevel.NOTHING,
  // kafkajs never looks up a new coordinator while retrying a dead one's connection: it crashes when
  // these retries run out, restarts (restartOnFailure) and rejoins through FindCoordinator. A short
  // budget (about 2.5 s) keeps that recovery quick.
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
});
const consumer = kafka.consumer({
  groupId: env('MEMBER_GROUP'),
  sessionTimeout,
  heartbeatInterval: Math.floor(sessionTimeout / 5),
  rebalanceTimeout: 20_000,
  maxWaitTimeInMs: 200,
});

consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  emit({ e: 'join', memberId: payload.memberId, partitions: payload.memberAssignment[topic] ?? [] });
});
consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
  for (const t of payload.topics) {
    for (const p of t.partitions) emit({ e: 'commit', p: p.partition, o: Number(p.offset) });
  }
});
consumer.on(consumer.events.CRASH, ({ payload }) => {
  emit({ e: 'crash', error: String(payload.error) });
});

process.on('SIGTERM', () => {
  consumer.disconnect().finally(() => process.exit(0));
});

await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  autoCommitInterval: Number(env('MEMBER_COMMIT_MS')),
  eachMessage: async ({ partition, message }) => {
    emit({ e: 'rec', p: partition, o: Number(message.offset), v: message.value?.toString('utf8') ?? null });
  },
});
