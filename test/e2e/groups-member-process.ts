/**
 * The test side of groups-kafkajs-member.ts: spawns one kafkajs group
 * member as a child process and collects its events. Owned by the test that
 * started it; kill() it in afterAll (SIGKILL is the default: a crash).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const memberMain = join(import.meta.dirname, 'groups-kafkajs-member.ts');

export type MemberEvent =
  | { e: 'join'; t: number; memberId: string; partitions: number[] }
  | { e: 'rec'; t: number; p: number; o: number; v: string }
  | { e: 'commit'; t: number; p: number; o: number }
  | { e: 'crash'; t: number; error: string };

export interface MemberOptions {
  bootstrap: string;
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  commitIntervalMs: number;
}

export class GroupMemberProcess {
  readonly name: string;
  readonly events: MemberEvent[] = [];
  readonly #child: ChildProcess;
  readonly #exit: Promise<void>;
  #stderr = '';

  constructor(name: string, options: MemberOptions) {
    this.name = name;
    this.#child = spawn(process.execPath, [memberMain], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MEMBER_NAME: name,
        MEMBER_BOOTSTRAP: options.bootstrap,
        MEMBER_GROUP: options.group,
        MEMBER_TOPIC: options.topic,
        MEMBER_SESSION_MS: String(options.sessionTimeoutMs),
        MEMBER_COMMIT_MS: String(options.commitIntervalMs),
      },
    });
    this.#exit = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    let partial = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) this.events.push(JSON.parse(line) as MemberEvent);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The partitions of the latest assignment (empty before the first). */
  get assigned(): number[] {
    const joins = this.events.filter((e) => e.e === 'join');
    return [...(joins.at(-1)?.partitions ?? [])].sort((a, b) => a - b);
  }

  get records(): Extract<MemberEvent, { e: 'rec' }>[] {
    return this.events.filter((e) => e.e === 'rec');
  }

  get commits(): Extract<MemberEvent, { e: 'commit' }>[] {
    return this.events.filter((e) => e.e === 'commit');
  }

  get crashes(): Extract<MemberEvent, { e: 'crash' }>[] {
    return this.events.filter((e) => e.e === 'crash');
  }

  /** Sends `signal` and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
    await this.#exit;
  }
}
