import { TEST_BOOTSTRAP_KEY, type RunningUsher } from './process';

/** A JSON client for one Usher process, with its bootstrap key, and a poller for what happens asynchronously. */
export function apiClient(usher: RunningUsher) {
  return {
    usher,
    async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const response = await fetch(`${usher.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    /** Reads until `done` holds; fails after 20 s with the last value and the end of the process's log. */
    async until<T>(read: () => Promise<T>, done: (value: T) => unknown, what: string): Promise<T> {
      const deadline = Date.now() + 20_000;
      let last: T | undefined;
      while (Date.now() < deadline) {
        last = await read();
        if (done(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`never ${what}: ${JSON.stringify(last)}\n${usher.stderr().slice(-3000)}`);
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
