import { destination, type DestinationStream } from 'pino';

/** A synchronous stream: pino.destination({ sync: true }) writes each chunk before returning (retrying EAGAIN). */
interface SyncStream {
  write(chunk: string): unknown;
}

/** Lines held before a write regardless of the turn: bounds the memory a busy turn can hold. */
const MAX_BUFFERED_CHARS = 64 * 1024;

const live = new Set<TurnBufferedDestination>();
let exitHookInstalled = false;

function flushAllAtExit(): void {
  for (const stream of live) stream.flushSync();
}

/**
 * warren's default log destination: the lines of one turn of the event loop are written
 * together, with one synchronous write at the end of the turn (setImmediate), instead of one
 * write system call per line. A worker acks the jobs of a turn the same way, so a job's
 * `performed` line is written in the turn that also sends its ack, not later.
 *
 * Why: pino's default synchronous destination costs about 3 µs of CPU per line here, a tenth
 * of a worker's whole cost per job (docs/performance.md). What it gives up: a process killed
 * with SIGKILL loses the lines of the turn it was in (at most 64 KB); a normal exit,
 * `process.exit()` and an uncaught exception write them (an `exit` hook flushes).
 */
export class TurnBufferedDestination implements DestinationStream {
  private chunks: string[] = [];
  private chars = 0;
  private scheduled = false;
  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flushSync();
  };

  constructor(private readonly stream: SyncStream) {
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', flushAllAtExit);
    }
  }

  /** Buffered lines on file descriptor `fd` (1: stdout, 2: stderr). */
  static onFd(fd: number): TurnBufferedDestination {
    return new TurnBufferedDestination(destination({ dest: fd, sync: true }) as unknown as SyncStream);
  }

  write(chunk: string): void {
    this.chunks.push(chunk);
    this.chars += chunk.length;
    if (this.chars >= MAX_BUFFERED_CHARS) this.flushSync();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushLater);
    }
  }

  /** Writes what is buffered now, synchronously. */
  flushSync(): void {
    if (this.chunks.length === 0) return;
    const text = this.chunks.length === 1 ? (this.chunks[0] as string) : this.chunks.join('');
    this.chunks = [];
    this.chars = 0;
    this.stream.write(text);
  }

  /** Flushes and stops being flushed at exit (for a logger that is replaced). */
  close(): void {
    this.flushSync();
    live.delete(this);
  }
}
