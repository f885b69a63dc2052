import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { usageError } from './errors';

/** A destination written line by line with back-pressure: a file, or stdout when `path` is undefined. */
export interface LineSink {
  write(text: string): Promise<void>;
  /** Flushes and closes a file; leaves stdout open. */
  close(): Promise<void>;
}

/** Opens `path` for writing (created 0600: exports and reports carry people's addresses and links), or wraps stdout. */
export function openLineSink(path: string | undefined): LineSink {
  const stream: Writable = path === undefined ? process.stdout : createWriteStream(path, { fd: openForWriting(path) });
  return {
    async write(text) {
      // Waiting for 'drain' keeps a 100,000-row export from piling up in memory behind a slow disk or pipe.
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      if (path === undefined) return;
      stream.end();
      await once(stream, 'finish');
    },
  };
}

/** Opened at once, so a path that cannot be written is a usage error before any work, not a crash after it. */
function openForWriting(path: string): number {
  try {
    return openSync(path, 'w', 0o600);
  } catch (error) {
    throw usageError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
