/**
 * A nudge from what exists early to what is built later: the outbox's writers notify, the worker,
 * built last in the composition root, listens. Notifying with no listener does nothing.
 */
export interface Signal {
  notify(): void;
  listen(listener: () => void): void;
}

export function createSignal(): Signal {
  const listeners: (() => void)[] = [];
  return {
    notify: () => {
      for (const listener of listeners) listener();
    },
    listen: (listener) => {
      listeners.push(listener);
    },
  };
}
