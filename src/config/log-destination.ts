import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** The buffer lines are copied into: a line that does not fit is written at once, alone. */
const BUFFER_BYTES = 64 * 1024;
/** Buffered bytes that are written at once: a busy worker writes about every 60 lines. */
const FLUSH_BYTES = 16 * 1024;
/** The longest a line waits for its write. */
const LINGER_MS = 5;
/** How long to wait before retrying a write to a full non-blocking pipe (as pino's SonicBoom does). */
const BUSY_RETRY_MS = 1;

/** Writes `bytes` before returning; `bytes` is reused afterwards, so a sink must not keep it. */
export type LineSink = (bytes: Buffer) => void;

const live = new Set<BufferedLineDestination>();
let exitHookInstalled = false;

function flushAllAtExit(): void {
  for (const stream of live) stream.flushSync();
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A sink writing to file descriptor `fd` synchronously, all of it: partial writes continue, EAGAIN is retried. */
export function fdSink(fd: number): LineSink {
  return (bytes) => {
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EBUSY') throw error;
        sleepSync(BUSY_RETRY_MS);
      }
    }
  };
}

/**
 * warren's default log destination: lines are copied into one buffer as they come and written
 * together, once 16 KB have gathered or 5 ms after the first of them, whichever comes first:
 * one write system call for dozens of lines on a busy worker, instead of one per line.
 *
 * Why: pino's default synchronous destination costs about 3 µs of CPU per line here, a tenth of
 * a worker's whole cost per job, and a write at the end of every turn of the event loop still
 * cost 1.2 µs per job, since a busy worker's turns are short (docs/performance.md). The lines are
 * copied out of the JavaScript heap at once (not kept as strings), so they add no garbage that
 * survives a collection. What it gives up: a line is up to 5 ms late, and a process killed with
 * SIGKILL loses its last 5 ms of lines; a normal exit, `process.exit()` and an uncaught
 * exception write them (an `exit` hook flushes).
 */
export class BufferedLineDestination implements DestinationStream {
  /** Allocated on the first line: a logger that never writes (a replaced one, a test's) holds nothing. */
  private buffer: Buffer | undefined;
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set when the sink failed (EPIPE: nobody reads stdout any more): later lines are dropped. */
  private failed = false;
  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flushSync();
  };

  constructor(private readonly sink: LineSink) {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', flushAllAtExit);
    }
  }

  /** Buffered lines on file descriptor `fd` (1: stdout, 2: stderr). */
  static onFd(fd: number): BufferedLineDestination {
    return new BufferedLineDestination(fdSink(fd));
  }

  write(chunk: string): void {
    if (this.failed) return;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: make room for the worst case first.
    if (this.used + chunk.length * 3 > BUFFER_BYTES) {
      this.flushSync();
      if (chunk.length * 3 > BUFFER_BYTES) {
        this.deliver(Buffer.from(chunk, 'utf8'));
        return;
      }
    }
    this.buffer ??= Buffer.allocUnsafe(BUFFER_BYTES);
    this.used += this.buffer.write(chunk, this.used, 'utf8');
    if (this.used >= FLUSH_BYTES) this.flushSync();
    else if (this.timer === undefined) {
      // Known to the exit hook only while it holds lines, so a replaced destination is not kept alive.
      live.add(this);
      this.timer = setTimeout(this.flushLater, LINGER_MS).unref();
    }
  }

  /** Writes what is buffered now, synchronously. */
  flushSync(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    live.delete(this);
    if (this.used === 0 || !this.buffer) return;
    const bytes = this.buffer.subarray(0, this.used);
    this.used = 0;
    this.deliver(bytes);
  }

  /**
   * A log line that cannot be written must not take the worker down with it (a flush runs from a
   * timer, where a throw would end the process): the first failure is reported once as a process
   * warning on stderr, and lines are dropped from then on.
   */
  private deliver(bytes: Buffer): void {
    try {
      this.sink(bytes);
    } catch (error) {
      this.failed = true;
      this.used = 0;
      const reason = error instanceof Error ? error.message : String(error);
      process.emitWarning(`warren's log lines cannot be written (${reason}); further lines are dropped`, { code: 'WARREN_LOG_WRITE_FAILED' });
    }
  }
}
