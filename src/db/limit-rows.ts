/** Row types of the tables that limit anonymous callers (owned by `src/limits/`). */

/** Requests one client made to one route group in one fixed window. */
export interface ClientLimitWindowRow {
  /** 'public' | 'sign-in' | 'didcomm' | 'inbox' */
  route_group: string;
  /** The client's address as the server saw it (or the proxy named it). */
  client: string;
  window_start: string;
  count: number;
}

/** Console sign-ins that failed in a row from one client; a success deletes the row. */
export interface SignInFailureRow {
  client: string;
  failures: number;
  /** Before this time the client's sign-ins are refused without looking at the key. */
  locked_until: string;
  last_failure_at: string;
}
