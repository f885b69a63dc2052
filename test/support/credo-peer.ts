/**
 * An independent Aries agent for tests: Credo-ts 0.6 (@credo-ts/core + @credo-ts/didcomm) in a
 * child process, speaking DIDComm v1 over HTTP on 127.0.0.1, driven from the test over JSON lines.
 *
 *   const peer = await startCredoPeer({ label: 'Alice (Credo)' });
 *   const { url } = await peer.createInvitation({ handshake: 'didexchange' });
 *   // ... or: await peer.receiveInvitationUrl(usherInvitationUrl)
 *   const connection = await peer.waitForConnection({ outOfBandId }, 15_000);
 *   await peer.stop();
 *
 * What is Credo's own and what is not: invitations, DID Exchange / Connections, trust ping, the
 * RFC 0019 envelope layout and the HTTP outbound transport are Credo's code, unchanged. Three
 * pluggable parts come from test/support/credo-peer/, because their published implementations
 * cannot be installed here: the key management backend (libsodium-wrappers instead of Askar),
 * the storage (in memory instead of Askar) and the HTTP inbound transport (node:http instead of
 * @credo-ts/node's Express one, which has no stable 0.6 release).
 *
 * The child runs with the project's Node 22 (node_modules/.bin/node, from the `node` package),
 * which executes the TypeScript directly. It exits when its stdin closes (so when this process
 * ends or dies), on stop(), and at the latest after `lifetimeSeconds` (enforced by `timeout`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type {
  ChildLine,
  Command,
  ConnectionSummary,
  CreatedInvitation,
  PeerEvent,
  Reply,
} from './credo-peer/protocol.ts';

export type { ConnectionSummary, CreatedInvitation, HttpExchange, PeerEvent } from './credo-peer/protocol.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const AGENT_SCRIPT = join(import.meta.dirname, 'credo-peer', 'agent.ts');
const NODE_22 = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');

export interface CredoPeerOptions {
  /** The agent's label: used in the invitations it creates and the requests it sends. */
  readonly label?: string;
  /** Credo log level on the child's stderr (trace, debug, info, warn, error); `warn` by default. */
  readonly logLevel?: string;
  /** How long to wait for the agent to be ready; 30 s by default. */
  readonly startupTimeoutMs?: number;
  /** Hard cap on the child's life, even if everything else fails; 300 s by default. */
  readonly lifetimeSeconds?: number;
  /**
   * How long the peer's inbound endpoint waits for a posted message to be processed before it
   * answers 500 (it answers 200 once processed). Credo's default, 10 s, applies unless set: a
   * message Credo cannot decrypt or handle is only answered after this delay.
   */
  readonly processedTimeoutMs?: number;
  /**
   * The Content-Type Credo posts with: application/didcomm-envelope-enc (Credo's default) or
   * application/ssi-agent-wire.
   */
  readonly mimeType?: 'application/didcomm-envelope-enc' | 'application/ssi-agent-wire';
  /**
   * The did:peer method of the DID Credo puts in its DID Exchange requests: 4 (Credo's default,
   * long form, no did_doc~attach), 2, or 1 (with a signed did_doc~attach). Credo's responses use
   * the same method as the request they answer.
   */
  readonly peerDidNumAlgo?: 1 | 2 | 4;
  /**
   * 'none': no inbound transport and no endpoint, like a mobile wallet. Credo's DIDs then carry
   * `didcomm:transport/queue`, it puts `~transport.return_route: "all"` on what it sends and reads
   * its answers from the HTTP responses. 'http' (the default): a node:http endpoint on loopback.
   */
  readonly inbound?: 'http' | 'none';
  /**
   * Makes the agent a mediator (Credo's DidCommMediatorModule, RFC 0211) that grants every
   * request, with Message Pickup v1/v2: 'queue' holds forwarded messages for pickup, 'direct'
   * posts them on to the recipient's endpoint at once.
   */
  readonly mediator?: 'queue' | 'direct';
}

/** Which connection waitForConnection waits for: every given field must match. */
export interface ConnectionFilter {
  readonly connectionId?: string;
  /** The out-of-band record the connection came from (the inviter's, or the invitee's own). */
  readonly outOfBandId?: string;
  readonly theirLabel?: string;
}

export interface CredoPeer {
  /**
   * The peer's DIDComm inbound endpoint, e.g. http://127.0.0.1:40123 (Credo posts to and serves on it);
   * `didcomm:transport/queue` without one.
   */
  readonly endpoint: string;
  readonly label: string;
  readonly pid: number;
  /** The @credo-ts/didcomm version running. */
  readonly credoVersion: string;
  /** The child's temporary directory (removed by stop()). */
  readonly dataDir: string;
  /** Every event the peer reported so far, oldest first. */
  readonly events: readonly PeerEvent[];

  /**
   * 'didexchange': an RFC 0434 out-of-band 1.1 invitation (`?oob=`) offering
   * https://didcomm.org/didexchange/1.1, with an inline did-communication service whose
   * recipientKeys are did:key. 'connections': a legacy RFC 0160 invitation (`?c_i=`).
   */
  createInvitation(options: {
    handshake: 'didexchange' | 'connections';
    multiUse?: boolean;
    label?: string;
  }): Promise<CreatedInvitation>;
  /** Credo receives the invitation URL and, as requester, runs the handshake it offers over HTTP. */
  receiveInvitationUrl(
    url: string,
    options?: {
      label?: string;
      /**
       * RFC 0434 handshake reuse: when Credo already has a connection from this invitation's DID, it sends
       * handshake-reuse on it instead of a request (an earlier record of the same invitation is forgotten first).
       */
      reuseConnection?: boolean;
    },
  ): Promise<{ connectionId: string; outOfBandId: string }>;
  /**
   * Resolves once a connection matching `filter` is `completed` (including one that already is);
   * rejects when a matching one is `abandoned`, the peer dies, or after `timeoutMs` (10 s by default).
   */
  waitForConnection(filter: ConnectionFilter, timeoutMs?: number): Promise<ConnectionSummary>;
  getConnection(connectionId: string): Promise<ConnectionSummary>;
  listConnections(): Promise<ConnectionSummary[]>;
  /** Sends an RFC 0048 trust ping (response requested unless told otherwise); returns its thread id. */
  sendTrustPing(
    connectionId: string,
    options?: { responseRequested?: boolean; withReturnRouting?: boolean },
  ): Promise<{ threadId: string; message: Record<string, unknown> }>;
  /** Resolves with the ping_response Credo received for `threadId` (or on `connectionId`). */
  waitForTrustPingResponse(
    filter: { threadId?: string; connectionId?: string },
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with a trust ping Credo received (on `connectionId`, if given). */
  waitForTrustPing(filter: { connectionId?: string }, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** RFC 0095 basic message over an established connection. */
  sendBasicMessage(connectionId: string, content: string): Promise<void>;
  /** Credo's own resolution of a DID (did:peer, did:key, ...). */
  resolveDid(
    did: string,
  ): Promise<{ didDocument: Record<string, unknown> | null; error: string | null; message: string | null }>;
  /** Resolves with the first event (past or future) that `predicate` accepts. */
  waitForEvent<E extends PeerEvent>(
    predicate: (event: PeerEvent) => event is E,
    timeoutMs: number,
    description: string,
  ): Promise<E>;
  waitForEvent(predicate: (event: PeerEvent) => boolean, timeoutMs: number, description: string): Promise<PeerEvent>;
  /** Calls `listener` with every event from now on (with the time it arrived); returns a function that stops that. */
  onEvent(listener: (event: PeerEvent, receivedAt: number) => void): () => void;
  /** What the child wrote on stderr (Credo's log), for failure messages. */
  stderr(): string;
  /** Stops the agent and its server, kills the process if it lingers, removes its temporary directory. Idempotent. */
  stop(): Promise<void>;
}

/** A command without its id: Omit distributed over the union. */
type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'id'> : never) : never;

interface Waiter {
  check(): boolean;
  fail(error: Error): void;
}

// Every child still running, so a forgotten stop() (or a crashing test file) leaks nothing.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

export async function startCredoPeer(options: CredoPeerOptions = {}): Promise<CredoPeer> {
  if (!existsSync(NODE_22)) {
    throw new Error(
      `Credo peer: ${NODE_22} is missing. The peer runs on the project's Node 22 from the npm package "node"; run npm install.`,
    );
  }
  const label = options.label ?? 'Credo peer';
  const startupTimeoutMs = options.startupTimeoutMs ?? 30_000;
  const lifetimeSeconds = options.lifetimeSeconds ?? 300;
  const dataDir = await mkdtemp(join(tmpdir(), 'usher-credo-peer-'));

  const child = spawn(
    'timeout',
    [
      '-k',
      '5',
      String(lifetimeSeconds),
      NODE_22,
      '--experimental-strip-types',
      '--disable-warning=ExperimentalWarning',
      AGENT_SCRIPT,
    ],
    {
      cwd: PROJECT_ROOT,
      detached: true, // its own process group, so stop() can end timeout and node together
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(':'),
        HOME: process.env.HOME ?? dataDir,
        TMPDIR: process.env.TMPDIR ?? tmpdir(),
        CREDO_PEER_LABEL: label,
        CREDO_PEER_DATA_DIR: dataDir,
        CREDO_PEER_LOG_LEVEL: options.logLevel ?? process.env.CREDO_PEER_LOG_LEVEL ?? 'warn',
        CREDO_PEER_LIFETIME_MS: String(lifetimeSeconds * 1000),
        ...(options.processedTimeoutMs !== undefined
          ? { CREDO_PEER_PROCESSED_TIMEOUT_MS: String(options.processedTimeoutMs) }
          : {}),
        ...(options.mimeType ? { CREDO_PEER_MIME_TYPE: options.mimeType } : {}),
        ...(options.peerDidNumAlgo !== undefined ? { CREDO_PEER_DID_NUMALGO: String(options.peerDidNumAlgo) } : {}),
        ...(options.inbound ? { CREDO_PEER_INBOUND: options.inbound } : {}),
        ...(options.mediator ? { CREDO_PEER_MEDIATOR: options.mediator } : {}),
      },
    },
  );
  live.add(child);

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
  });
  // Writing to a child that died must not crash the test process.
  child.stdin!.on('error', () => undefined);

  const events: PeerEvent[] = [];
  const waiters = new Set<Waiter>();
  const listeners = new Set<(event: PeerEvent, receivedAt: number) => void>();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; cmd: string }>();
  let nextId = 1;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let fatal: string | undefined;
  let ready: Extract<ChildLine, { kind: 'ready' }> | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const diagnostics = (): string => {
    const errors = events.filter((e): e is Extract<PeerEvent, { type: 'error' }> => e.type === 'error').slice(-5);
    const connections = latestConnections();
    return [
      exit ? `peer process exited (code ${exit.code}, signal ${exit.signal})` : 'peer process running',
      fatal ? `fatal: ${fatal}` : '',
      connections.length
        ? `connections: ${connections.map((c) => `${c.id} ${c.role} ${c.state}${c.errorMessage ? ` (${c.errorMessage})` : ''}`).join('; ')}`
        : 'connections: none',
      errors.length ? `Credo errors:\n${errors.map((e) => `  ${e.message} ${e.detail.slice(0, 600)}`).join('\n')}` : '',
      `--- peer stderr (tail) ---\n${tail(stderr)}`,
    ]
      .filter(Boolean)
      .join('\n');
  };

  const latestConnections = (): ConnectionSummary[] => {
    const byId = new Map<string, ConnectionSummary>();
    for (const event of events) if (event.type === 'connection') byId.set(event.connection.id, event.connection);
    return [...byId.values()];
  };

  const exited = new Promise<void>((resolveExit) => {
    const ended = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exit) return;
      exit = { code, signal };
      live.delete(child);
      const error = new Error(`Credo peer "${label}" ended.\n${diagnostics()}`);
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
      for (const waiter of [...waiters]) waiter.fail(error);
      resolveExit();
    };
    // 'close', not 'exit': by then every line the peer printed (its last words included) has been read.
    child.on('close', ended);
    // E.g. `timeout` missing: there may be no 'exit' after this.
    child.on('error', (error) => {
      fatal = `could not run the peer process: ${error.message}`;
      ended(null, null);
    });
  });

  let onReady: (() => void) | undefined;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (text) => {
    let line: ChildLine;
    try {
      line = JSON.parse(text) as ChildLine;
    } catch {
      stderr += `[stdout] ${text}\n`;
      return;
    }
    if (line.kind === 'ready') {
      ready = line;
      onReady?.();
    } else if (line.kind === 'fatal') {
      fatal = line.error;
    } else if (line.kind === 'reply') {
      const reply: Reply = line.reply;
      const request = pending.get(reply.id);
      if (!request) return;
      pending.delete(reply.id);
      if (reply.ok) request.resolve(reply.result);
      else request.reject(new Error(`Credo peer "${label}": ${request.cmd} failed: ${reply.error}\n${diagnostics()}`));
    } else if (line.kind === 'event') {
      events.push(line.event);
      const receivedAt = Date.now();
      for (const listener of [...listeners]) listener(line.event, receivedAt);
      for (const waiter of [...waiters]) waiter.check();
    }
  });

  const cleanup = async () => {
    killGroup(child, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };

  // Wait for "ready", the process's end, or the startup limit.
  try {
    await new Promise<void>((resolveReady, rejectReady) => {
      const timer = setTimeout(
        () =>
          rejectReady(
            new Error(`Credo peer "${label}" was not ready within ${startupTimeoutMs} ms.\n${diagnostics()}`),
          ),
        startupTimeoutMs,
      );
      onReady = () => {
        clearTimeout(timer);
        resolveReady();
      };
      void exited.then(() => {
        clearTimeout(timer);
        rejectReady(new Error(`Credo peer "${label}" could not start.\n${diagnostics()}`));
      });
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const started = ready!;

  function request<T>(command: CommandBody): Promise<T> {
    if (exit || stopped) return Promise.reject(new Error(`Credo peer "${label}" is not running.\n${diagnostics()}`));
    const id = nextId++;
    return new Promise<T>((resolveRequest, rejectRequest) => {
      pending.set(id, { resolve: resolveRequest as (value: unknown) => void, reject: rejectRequest, cmd: command.cmd });
      child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  function waitFor<T>(
    evaluate: () => { done: true; value: T } | { done: false; error?: Error } | null,
    timeoutMs: number,
    description: string,
  ): Promise<T> {
    return new Promise<T>((resolveWait, rejectWait) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        check() {
          const outcome = evaluate();
          if (!outcome) return false;
          if (outcome.done) {
            finish();
            resolveWait(outcome.value);
            return true;
          }
          if (outcome.error) {
            finish();
            rejectWait(outcome.error);
            return true;
          }
          return false;
        },
        fail(error) {
          finish();
          rejectWait(new Error(`While waiting for ${description}: ${error.message}`));
        },
      };
      const finish = () => {
        if (timer) clearTimeout(timer);
        waiters.delete(waiter);
      };
      if (waiter.check()) return;
      if (exit) return waiter.fail(new Error(`Credo peer "${label}" is not running.\n${diagnostics()}`));
      waiters.add(waiter);
      timer = setTimeout(() => {
        waiters.delete(waiter);
        rejectWait(
          new Error(
            `Credo peer "${label}": timed out after ${timeoutMs} ms waiting for ${description}.\n${diagnostics()}`,
          ),
        );
      }, timeoutMs);
    });
  }

  const matches = (connection: ConnectionSummary, filter: ConnectionFilter): boolean =>
    (filter.connectionId === undefined || connection.id === filter.connectionId) &&
    (filter.outOfBandId === undefined || connection.outOfBandId === filter.outOfBandId) &&
    (filter.theirLabel === undefined || connection.theirLabel === filter.theirLabel);

  function waitForEvent(
    predicate: (event: PeerEvent) => boolean,
    timeoutMs: number,
    description: string,
  ): Promise<PeerEvent> {
    return waitFor(
      () => {
        const found = events.find(predicate);
        return found ? { done: true, value: found } : null;
      },
      timeoutMs,
      description,
    );
  }

  const peer: CredoPeer = {
    endpoint: started.endpoint,
    label,
    pid: started.pid,
    credoVersion: started.credoVersion,
    dataDir,
    events,

    createInvitation: (opts) =>
      request<CreatedInvitation>({
        cmd: 'createInvitation',
        handshake: opts.handshake,
        multiUse: opts.multiUse,
        label: opts.label,
      }),

    receiveInvitationUrl: async (url, opts) => {
      const result = await request<{ connectionId: string; outOfBandId: string }>({
        cmd: 'receiveInvitationUrl',
        url,
        label: opts?.label,
        reuseConnection: opts?.reuseConnection,
      });
      return { connectionId: result.connectionId, outOfBandId: result.outOfBandId };
    },

    waitForConnection: (filter, timeoutMs = 10_000) =>
      waitFor(
        () => {
          const candidates = latestConnections().filter((c) => matches(c, filter));
          const completed = candidates.find((c) => c.state === 'completed');
          if (completed) return { done: true, value: completed };
          const abandoned = candidates.find((c) => c.state === 'abandoned');
          if (abandoned) {
            return {
              done: false,
              error: new Error(
                `Credo peer "${label}": connection ${abandoned.id} was abandoned: ${abandoned.errorMessage ?? '(no error message)'}\n${diagnostics()}`,
              ),
            };
          }
          return null;
        },
        timeoutMs,
        `a completed connection matching ${JSON.stringify(filter)}`,
      ),

    getConnection: (connectionId) => request<ConnectionSummary>({ cmd: 'getConnection', connectionId }),
    listConnections: () => request<ConnectionSummary[]>({ cmd: 'listConnections' }),

    sendTrustPing: (connectionId, opts) =>
      request({
        cmd: 'sendTrustPing',
        connectionId,
        responseRequested: opts?.responseRequested,
        withReturnRouting: opts?.withReturnRouting,
      }),

    waitForTrustPingResponse: async (filter, timeoutMs = 10_000) => {
      const event = await waitForEvent(
        (e) =>
          e.type === 'trustPingResponseReceived' &&
          (filter.connectionId === undefined || e.connectionId === filter.connectionId) &&
          (filter.threadId === undefined || threadOf(e.message) === filter.threadId),
        timeoutMs,
        `a trust ping response ${JSON.stringify(filter)}`,
      );
      return (event as Extract<PeerEvent, { type: 'trustPingResponseReceived' }>).message;
    },

    waitForTrustPing: async (filter, timeoutMs = 10_000) => {
      const event = await waitForEvent(
        (e) =>
          e.type === 'trustPingReceived' &&
          (filter.connectionId === undefined || e.connectionId === filter.connectionId),
        timeoutMs,
        `a trust ping ${JSON.stringify(filter)}`,
      );
      return (event as Extract<PeerEvent, { type: 'trustPingReceived' }>).message;
    },

    sendBasicMessage: async (connectionId, content) => {
      await request({ cmd: 'sendBasicMessage', connectionId, content });
    },

    resolveDid: (did) => request({ cmd: 'resolveDid', did }),

    waitForEvent: waitForEvent as CredoPeer['waitForEvent'],

    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    stderr: () => stderr,

    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        if (!exit) {
          child.stdin!.write(`${JSON.stringify({ id: 0, cmd: 'shutdown' })}\n`);
          child.stdin!.end();
          const grace = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
          await exited;
          clearTimeout(grace);
        }
        await cleanup();
      })();
      return stopping;
    },
  };
  return peer;
}

function threadOf(message: Record<string, unknown>): string | undefined {
  const thread = message['~thread'] as { thid?: string } | undefined;
  return thread?.thid ?? (message['@id'] as string | undefined);
}
