import type { Writable } from 'node:stream';

/** Where an import stands: how far into the file it has come, and what to say about it. */
export interface ProgressState {
  readonly bytes: number;
  readonly summary: string;
}

/** Reports progress on stderr while stdout carries the results. */
export interface Progress {
  update(state: ProgressState): void;
  /** Draws the final state (the last one when not given); a terminal's bar gets its line break. */
  done(final?: ProgressState): void;
}

const BAR_WIDTH = 24;

/**
 * A bar redrawn in place on a terminal; plain lines elsewhere (logs, CI), the first at once and then at
 * most one every `intervalMs`, so a long import neither floods a log nor looks stuck.
 */
export function createProgress(options: {
  stream: Writable;
  tty: boolean;
  totalBytes: number;
  label: string;
  intervalMs?: number;
}): Progress {
  const { stream, tty, totalBytes, label } = options;
  const intervalMs = options.intervalMs ?? (tty ? 100 : 2000);
  let last: ProgressState | undefined;
  let lastDrawn = false;
  let drawnAt = -Infinity;
  let printed = '';
  const percent = (state: ProgressState) =>
    totalBytes > 0 ? Math.min(100, Math.floor((state.bytes / totalBytes) * 100)) : 100;
  const draw = (state: ProgressState) => {
    drawnAt = Date.now();
    const share = percent(state);
    if (!tty) {
      const line = `${label}: ${share}% of the file, ${state.summary}\n`;
      // The final state is often the one just printed; a log needs it once.
      if (line !== printed) stream.write(line);
      printed = line;
      return;
    }
    const filled = Math.round((share / 100) * BAR_WIDTH);
    stream.write(
      `\r\u001b[K${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(share).padStart(3)}%  ${state.summary}`,
    );
  };
  return {
    update(state) {
      last = state;
      lastDrawn = Date.now() - drawnAt >= intervalMs;
      if (lastDrawn) draw(state);
    },
    done(final) {
      last = final ?? last;
      if (!last) return;
      if (final || !lastDrawn) draw(last);
      if (tty) stream.write('\n');
    },
  };
}
