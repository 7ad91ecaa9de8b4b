/**
 * Why a Raft store would not open, worded for the operator who has to act
 * on it. Opening is the one place the store reports its own failures as an
 * exception: the caller (a controller starting up) cannot continue without
 * the store, so there is no partial result to return.
 */
export type RaftStoreOpenFailure = 'corrupt' | 'locked';

export class RaftStoreOpenError extends Error {
  override name = 'RaftStoreOpenError';
  readonly reason: RaftStoreOpenFailure;
  readonly dir: string;
  /** What exactly is wrong, without the advice around it. */
  readonly detail: string;
  /** The damaged file, when the check that failed could tell which. */
  readonly file: string | null;

  constructor(reason: RaftStoreOpenFailure, dir: string, detail: string, cause?: unknown, file?: string) {
    super(openErrorMessage(reason, dir, detail), cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.dir = dir;
    this.detail = detail;
    this.file = file ?? null;
  }
}

function openErrorMessage(reason: RaftStoreOpenFailure, dir: string, detail: string): string {
  switch (reason) {
    case 'corrupt':
      return (
        `the Raft store in ${dir} is damaged: ${detail}. This controller will not start on it, since it could ` +
        `no longer vouch for its votes or its log. To recover a voter of a quorum, move ${dir} aside ` +
        `(e.g. mv ${dir} ${dir}.damaged) and restart it with the same node id: it rejoins as an empty voter ` +
        `that neither votes nor stands for election until it has copied the log from the leader (the other ` +
        `controllers must form a quorum). With a single controller (runnel dev) there is no leader to copy ` +
        `from: the cluster's metadata is lost unless you restore ${dir} from a backup. See docs/controller-store.md`
      );
    case 'locked':
      return `the Raft store in ${dir} is in use by another process (${detail}); stop the other controller using ${dir}, or give this node its own directory`;
  }
}

/** The level error code in `e` or any of its causes (level wraps the LevelDB error). */
export function levelErrorCodes(e: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = e;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code: unknown = Reflect.get(current, 'code');
    if (typeof code === 'string') codes.push(code);
    current = Reflect.get(current, 'cause');
  }
  return codes;
}

/** A RaftStoreOpenError when `e` is a lock or corruption error from level; otherwise `e` unchanged. */
export function classifyLevelOpenError(dir: string, e: unknown): unknown {
  const codes = levelErrorCodes(e);
  const detail = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
  if (codes.includes('LEVEL_LOCKED')) return new RaftStoreOpenError('locked', dir, detail, e);
  if (codes.includes('LEVEL_CORRUPTION')) return new RaftStoreOpenError('corrupt', dir, `LevelDB: ${detail}`, e);
  return e;
}
