/**
 * A Credo-ts 0.6 DIDComm v1 agent in its own process, driven over stdin/stdout JSON lines (see
 * protocol.ts). Started by test/support/credo-peer.ts with the project's Node 22, which runs this
 * TypeScript file directly (type stripping), so nothing here may need a TypeScript transform
 * beyond erasing types.
 *
 * It exits by itself when its stdin closes (the parent ended or died), on a `shutdown` command,
 * and in any case after CREDO_PEER_LIFETIME_MS. It listens on 127.0.0.1 only.
 *
 * Environment: CREDO_PEER_LABEL, CREDO_PEER_DATA_DIR (a directory it may use and removes at exit),
 * CREDO_PEER_LOG_LEVEL (Credo log level name: trace, debug, info, warn, error; default warn),
 * CREDO_PEER_LIFETIME_MS (default 300000), CREDO_PEER_PROCESSED_TIMEOUT_MS (how long the inbound
 * transport waits for a message to be processed before answering 500; Credo's default 10000),
 * CREDO_PEER_MIME_TYPE (the Content-Type Credo posts with; default application/didcomm-envelope-enc),
 * CREDO_PEER_DID_NUMALGO (did:peer method Credo creates for its DID Exchange requests: 1, 2 or 4;
 * Credo's default is 4), CREDO_PEER_INBOUND (`none`: no inbound transport and no endpoint, like a
 * mobile wallet: Credo's DIDs then carry `didcomm:transport/queue` and it asks for return routes),
 * CREDO_PEER_MEDIATOR (`queue`: a mediator that grants every request and queues what it forwards
 * for Message Pickup; `direct`: one that posts forwards on at once).
 */
import { EventEmitter as NodeEventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, rm, writeFile, copyFile, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import type { AgentDependencies, PeerDidNumAlgo } from '@credo-ts/core';
import type {
  DidCommBasicMessageStateChangedEvent,
  DidCommConnectionRecord,
  DidCommConnectionStateChangedEvent,
  DidCommHandshakeReusedEvent,
  DidCommMediationStateChangedEvent,
  DidCommMessageProcessedEvent,
  DidCommMessageSentEvent,
  DidCommOutOfBandStateChangedEvent,
  DidCommTrustPingReceivedEvent,
  TrustPingResponseReceivedEvent,
} from '@credo-ts/didcomm';
import type { ChildLine, Command, ConnectionSummary, HttpExchange, PeerEvent, Reply } from './protocol.ts';

// Credo and its dependencies log with console.*; stdout carries the protocol, so send them to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const started = Date.now();
const label = process.env.CREDO_PEER_LABEL ?? 'Credo peer';
const dataDir = process.env.CREDO_PEER_DATA_DIR ?? '';
const lifetimeMs = Number(process.env.CREDO_PEER_LIFETIME_MS ?? 300_000);
const logLevelName = (process.env.CREDO_PEER_LOG_LEVEL ?? 'warn').toLowerCase();
const processedTimeoutMs = Number(process.env.CREDO_PEER_PROCESSED_TIMEOUT_MS ?? 10_000);
const mimeType = process.env.CREDO_PEER_MIME_TYPE || undefined;
const peerDidNumAlgo = process.env.CREDO_PEER_DID_NUMALGO ? Number(process.env.CREDO_PEER_DID_NUMALGO) : undefined;
const hasInbound = process.env.CREDO_PEER_INBOUND !== 'none';
const mediatorMode = process.env.CREDO_PEER_MEDIATOR || undefined;

function send(line: ChildLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function emit(event: PeerEvent): void {
  send({ kind: 'event', event });
}

let shuttingDown = false;
const lifetime = setTimeout(() => {
  process.stderr.write(`[credo-peer] lifetime of ${lifetimeMs} ms reached; exiting\n`);
  void shutdown(3);
}, lifetimeMs);
lifetime.unref();

let stopAgent: (() => Promise<void>) | undefined;
let server: Server | undefined;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    const hardStop = setTimeout(() => process.exit(code), 3_000);
    hardStop.unref();
    try {
      await stopAgent?.();
    } catch (error) {
      process.stderr.write(`[credo-peer] agent shutdown failed: ${(error as Error).message}\n`);
    }
    server?.closeAllConnections();
    server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
  process.exit(code);
}

process.on('uncaughtException', (error) => {
  process.stderr.write(`[credo-peer] uncaught exception: ${inspect(error)}\n`);
  send({ kind: 'fatal', error: `uncaught exception: ${error.message}` });
  void shutdown(1);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`[credo-peer] unhandled rejection: ${inspect(reason)}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(0));

// The parent going away closes our stdin: that is how the peer never outlives a crashed test run.
const lines = createInterface({ input: process.stdin });
lines.on('close', () => void shutdown(0));
// Lines that arrive before the agent is ready wait here.
const early: string[] = [];
let onLine: ((line: string) => void) | undefined;
lines.on('line', (line) => (onLine ? onLine(line) : early.push(line)));

try {
  await main();
} catch (error) {
  process.stderr.write(`[credo-peer] startup failed: ${inspect(error)}\n`);
  send({ kind: 'fatal', error: `startup failed: ${(error as Error).message}` });
  await shutdown(1);
}

async function main(): Promise<void> {
  // Imported here rather than at the top, so that console is redirected before any of it loads.
  const { Agent, BaseLogger, DependencyManager, InjectionSymbols, Kms, LogLevel } = await import('@credo-ts/core');
  if (peerDidNumAlgo !== undefined && ![1, 2, 4].includes(peerDidNumAlgo))
    throw new Error(`CREDO_PEER_DID_NUMALGO must be 1, 2 or 4`);
  const didcomm = await import('@credo-ts/didcomm');
  const { InMemoryStorageService } = await import('./storage.ts');
  const { SodiumKeyManagementService } = await import('./kms.ts');
  const { NodeHttpInboundTransport } = await import('./http-inbound.ts');
  const {
    DidCommModule,
    DidCommHttpOutboundTransport,
    DidCommHandshakeProtocol,
    DidCommEventTypes,
    DidCommConnectionEventTypes,
    DidCommOutOfBandEventTypes,
    DidCommTrustPingEventTypes,
    DidCommBasicMessageEventTypes,
    DidCommRoutingEventTypes,
    DidCommMessageForwardingStrategy,
  } = didcomm;
  if (mediatorMode !== undefined && !['queue', 'direct'].includes(mediatorMode))
    throw new Error('CREDO_PEER_MEDIATOR must be queue or direct');
  const credoVersion = (createRequire(import.meta.url)('@credo-ts/didcomm/package.json') as { version: string })
    .version;

  await SodiumKeyManagementService.ready();

  const levels: Record<string, number> = {
    test: LogLevel.test,
    trace: LogLevel.trace,
    debug: LogLevel.debug,
    info: LogLevel.info,
    warn: LogLevel.warn,
    error: LogLevel.error,
    fatal: LogLevel.fatal,
    off: LogLevel.off,
  };

  class StderrLogger extends BaseLogger {
    private write(level: number, name: string, message: string, data?: Record<string, unknown>): void {
      if (level >= LogLevel.error) {
        emit({
          type: 'error',
          message,
          detail: data ? inspect(data, { depth: 4, breakLength: Infinity }).slice(0, 4_000) : '',
        });
      }
      if (!this.isEnabled(level)) return;
      const detail = data ? ` ${inspect(data, { depth: 3, breakLength: Infinity }).slice(0, 2_000)}` : '';
      process.stderr.write(`[credo-peer ${label}] ${name}: ${message}${detail}\n`);
    }
    public test(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.test, 'test', message, data);
    }
    public trace(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.trace, 'trace', message, data);
    }
    public debug(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.debug, 'debug', message, data);
    }
    public info(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.info, 'info', message, data);
    }
    public warn(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.warn, 'warn', message, data);
    }
    public error(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.error, 'error', message, data);
    }
    public fatal(message: string, data?: Record<string, unknown>): void {
      this.write(LogLevel.fatal, 'fatal', message, data);
    }
  }

  /** Credo's FileSystem dependency, confined to the peer's temporary directory. */
  class TempDirFileSystem {
    public readonly dataPath = join(dataDir || '/nonexistent', 'data');
    public readonly cachePath = join(dataDir || '/nonexistent', 'cache');
    public readonly tempPath = join(dataDir || '/nonexistent', 'tmp');
    public async exists(path: string): Promise<boolean> {
      return access(path).then(
        () => true,
        () => false,
      );
    }
    public async createDirectory(path: string): Promise<void> {
      await mkdir(dirname(path), { recursive: true });
    }
    public async copyFile(source: string, destination: string): Promise<void> {
      await copyFile(source, destination);
    }
    public async write(path: string, data: string): Promise<void> {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data, 'utf8');
    }
    public async read(path: string): Promise<string> {
      return readFile(path, 'utf8');
    }
    public async delete(path: string): Promise<void> {
      await rm(path, { recursive: true, force: true });
    }
    public async downloadToFile(url: string): Promise<void> {
      throw new Error(`the test peer does not download files (${url})`);
    }
  }

  /** fetch, reporting every exchange to the parent (Credo's outbound HTTP transport uses it). */
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    const base = {
      url,
      method: init?.method ?? 'GET',
      contentType: headers.get('content-type'),
      body: body.slice(0, 65_536),
    };
    try {
      const response = await fetch(input, init);
      const text = await response.clone().text();
      const exchange: HttpExchange = {
        ...base,
        status: response.status,
        responseContentType: response.headers.get('content-type'),
        responseBody: text.slice(0, 65_536),
      };
      emit({ type: 'outboundHttp', exchange });
      return response;
    } catch (error) {
      emit({
        type: 'outboundHttp',
        exchange: {
          ...base,
          status: null,
          responseContentType: null,
          responseBody: '',
          error: (error as Error).message,
        },
      });
      throw error;
    }
  };

  // Listen first, on an ephemeral loopback port, so the endpoint is known when the agent is built.
  // Without an inbound transport there is no server, and Credo's endpoint is its queue (it asks for return routes).
  let endpoint = 'didcomm:transport/queue';
  if (hasInbound) {
    const httpServer = createServer();
    server = httpServer;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(0, '127.0.0.1', () => resolve());
    });
    const address = httpServer.address();
    if (!address || typeof address === 'string') throw new Error('no TCP address');
    endpoint = `http://127.0.0.1:${address.port}`;
  }
  // Invitation URLs need an http(s) base even when the agent has no endpoint to put there.
  const urlDomain = hasInbound ? endpoint : 'https://credo-peer.invalid';

  // Credo 0.6 wants its StorageService registered before the agent is constructed.
  const dependencyManager = new DependencyManager();
  dependencyManager.registerInstance(InjectionSymbols.StorageService, new InMemoryStorageService());
  const agent = new Agent(
    {
      config: {
        logger: new StderrLogger(levels[logLevelName] ?? LogLevel.warn),
        allowInsecureHttpUrls: true,
        // A fresh in-memory store reads as storage version 0.1; the update is a no-op on no records.
        autoUpdateStorageOnStartup: true,
      },
      dependencies: {
        FileSystem: TempDirFileSystem,
        fetch: recordingFetch,
        EventEmitterClass: NodeEventEmitter,
        // Only Credo's WebSocket transports use it, and this peer has none.
        WebSocketClass: globalThis.WebSocket as unknown as AgentDependencies['WebSocketClass'],
      },
      modules: {
        kms: new Kms.KeyManagementModule({ backends: [new SodiumKeyManagementService()] }),
        didcomm: new DidCommModule({
          ...(hasInbound ? { endpoints: [endpoint] } : {}),
          transports: {
            inbound: !server
              ? []
              : [
                  new NodeHttpInboundTransport({
                    server,
                    processedMessageListenerTimeoutMs: processedTimeoutMs,
                    observe: (observation) =>
                      emit({
                        type: 'inboundHttp',
                        exchange: {
                          url: `${endpoint}${observation.path}`,
                          method: observation.method,
                          contentType: observation.contentType,
                          status: observation.status,
                          responseContentType: observation.responseContentType,
                          body: observation.body,
                          responseBody: '',
                          ...(observation.error ? { error: observation.error } : {}),
                        },
                      }),
                  }),
                ],
            outbound: [new DidCommHttpOutboundTransport()],
          },
          ...(mimeType ? { didCommMimeType: mimeType } : {}),
          connections: {
            autoAcceptConnections: true,
            ...(peerDidNumAlgo !== undefined
              ? { peerNumAlgoForDidExchangeRequests: peerDidNumAlgo as PeerDidNumAlgo }
              : {}),
          },
          credentials: false,
          proofs: false,
          mediator: mediatorMode
            ? {
                autoAcceptMediationRequests: true,
                messageForwardingStrategy:
                  mediatorMode === 'queue'
                    ? DidCommMessageForwardingStrategy.QueueOnly
                    : DidCommMessageForwardingStrategy.DirectDelivery,
              }
            : false,
          mediationRecipient: false,
          // Pickup v1 and v2, for the agents a mediator holds messages for.
          messagePickup: Boolean(mediatorMode),
          basicMessages: true,
        }),
      },
    },
    dependencyManager,
  );

  const summary = (record: DidCommConnectionRecord): ConnectionSummary => ({
    id: record.id,
    state: record.state,
    rfc0160State: record.rfc0160State,
    role: record.role,
    protocol: record.protocol ?? null,
    did: record.did ?? null,
    theirDid: record.theirDid ?? null,
    theirLabel: record.theirLabel ?? null,
    outOfBandId: record.outOfBandId ?? null,
    threadId: record.threadId ?? null,
    invitationDid: record.invitationDid ?? null,
    errorMessage: record.errorMessage ?? null,
  });

  const json = (message: { toJSON(): unknown }): Record<string, unknown> => message.toJSON() as Record<string, unknown>;

  agent.events.on<DidCommConnectionStateChangedEvent>(
    DidCommConnectionEventTypes.DidCommConnectionStateChanged,
    (e) => {
      emit({
        type: 'connection',
        previousState: e.payload.previousState ?? null,
        connection: summary(e.payload.connectionRecord),
      });
    },
  );
  agent.events.on<DidCommOutOfBandStateChangedEvent>(DidCommOutOfBandEventTypes.OutOfBandStateChanged, (e) => {
    const record = e.payload.outOfBandRecord;
    emit({
      type: 'outOfBand',
      outOfBandId: record.id,
      role: record.role,
      state: record.state,
      previousState: e.payload.previousState ?? null,
    });
  });
  agent.events.on<DidCommHandshakeReusedEvent>(DidCommOutOfBandEventTypes.HandshakeReused, (e) => {
    emit({
      type: 'handshakeReused',
      outOfBandId: e.payload.outOfBandRecord.id,
      connectionId: e.payload.connectionRecord.id,
      reuseThreadId: e.payload.reuseThreadId,
    });
  });
  agent.events.on<DidCommTrustPingReceivedEvent>(DidCommTrustPingEventTypes.DidCommTrustPingReceivedEvent, (e) => {
    emit({ type: 'trustPingReceived', connectionId: e.payload.connectionRecord.id, message: json(e.payload.message) });
  });
  agent.events.on<TrustPingResponseReceivedEvent>(
    DidCommTrustPingEventTypes.DidCommTrustPingResponseReceivedEvent,
    (e) => {
      emit({
        type: 'trustPingResponseReceived',
        connectionId: e.payload.connectionRecord.id,
        message: json(e.payload.message),
      });
    },
  );
  agent.events.on<DidCommBasicMessageStateChangedEvent>(
    DidCommBasicMessageEventTypes.DidCommBasicMessageStateChanged,
    (e) => {
      const record = e.payload.basicMessageRecord;
      emit({ type: 'basicMessage', connectionId: record.connectionId, role: record.role, content: record.content });
    },
  );
  agent.events.on<DidCommMessageProcessedEvent>(DidCommEventTypes.DidCommMessageProcessed, (e) => {
    emit({
      type: 'messageProcessed',
      connectionId: e.payload.connection?.id ?? null,
      message: json(e.payload.message),
    });
  });
  agent.events.on<DidCommMessageSentEvent>(DidCommEventTypes.DidCommMessageSent, (e) => {
    emit({
      type: 'messageSent',
      connectionId: e.payload.message.connection?.id ?? null,
      status: e.payload.status,
      message: json(e.payload.message.message),
    });
  });

  agent.events.on<DidCommMediationStateChangedEvent>(DidCommRoutingEventTypes.MediationStateChanged, (e) => {
    const record = e.payload.mediationRecord;
    emit({
      type: 'mediation',
      mediationId: record.id,
      connectionId: record.connectionId,
      role: record.role,
      state: record.state,
      recipientKeys: [...record.recipientKeys],
    });
  });

  await agent.initialize();
  stopAgent = () => agent.shutdown();

  const api = agent.modules.didcomm;

  async function run(command: Command): Promise<unknown> {
    switch (command.cmd) {
      case 'createInvitation': {
        const invitationLabel = command.label ?? label;
        if (command.handshake === 'connections') {
          const { outOfBandRecord, invitation } = await api.oob.createLegacyInvitation({
            label: invitationLabel,
            multiUseInvitation: command.multiUse ?? false,
            autoAcceptConnection: true,
          });
          return {
            url: invitation.toUrl({ domain: urlDomain }),
            outOfBandId: outOfBandRecord.id,
            invitation: invitation.toJSON(),
          };
        }
        const record = await api.oob.createInvitation({
          label: invitationLabel,
          handshakeProtocols: [DidCommHandshakeProtocol.DidExchange],
          multiUseInvitation: command.multiUse ?? false,
          autoAcceptConnection: true,
        });
        return {
          url: record.outOfBandInvitation.toUrl({ domain: urlDomain }),
          outOfBandId: record.id,
          invitation: record.outOfBandInvitation.toJSON(),
        };
      }
      case 'receiveInvitationUrl': {
        // A wallet scanning an invitation it has seen before: Credo refuses an invitation @id it holds a record of,
        // so, like wallets that keep connections but not the invitations they scanned, the old record goes first.
        if (command.reuseConnection) {
          const invitation = await api.oob.parseInvitation(command.url);
          const seen = await api.oob.findAllByQuery({ invitationId: invitation.id });
          for (const record of seen) await api.oob.deleteById(record.id);
        }
        const { outOfBandRecord, connectionRecord } = await api.oob.receiveInvitationFromUrl(command.url, {
          label: command.label ?? label,
          autoAcceptInvitation: true,
          autoAcceptConnection: true,
          reuseConnection: command.reuseConnection ?? false,
        });
        if (!connectionRecord)
          throw new Error(`invitation ${outOfBandRecord.id} was received but no connection was started`);
        return {
          connectionId: connectionRecord.id,
          outOfBandId: outOfBandRecord.id,
          connection: summary(connectionRecord),
        };
      }
      case 'getConnection':
        return summary(await api.connections.getById(command.connectionId));
      case 'listConnections':
        return (await api.connections.getAll()).map(summary);
      case 'sendTrustPing': {
        const ping = await api.connections.sendPing(command.connectionId, {
          responseRequested: command.responseRequested ?? true,
          // Left unset, Credo asks for a return route exactly when it has no inbound endpoint.
          withReturnRouting: command.withReturnRouting,
        });
        return { threadId: ping.threadId, message: ping.toJSON() };
      }
      case 'sendBasicMessage': {
        const record = await api.basicMessages.sendMessage(command.connectionId, command.content);
        return { id: record.id };
      }
      case 'resolveDid': {
        const resolution = await agent.dids.resolve(command.did);
        return {
          didDocument: resolution.didDocument?.toJSON() ?? null,
          error: resolution.didResolutionMetadata.error ?? null,
          message: resolution.didResolutionMetadata.message ?? null,
        };
      }
      case 'shutdown':
        setImmediate(() => void shutdown(0));
        return null;
    }
  }

  onLine = (line) => {
    if (!line.trim()) return;
    let command: Command;
    try {
      command = JSON.parse(line) as Command;
    } catch {
      process.stderr.write(`[credo-peer] ignoring a line that is not JSON: ${line.slice(0, 200)}\n`);
      return;
    }
    run(command).then(
      (result) => send({ kind: 'reply', reply: { id: command.id, ok: true, result: result ?? null } satisfies Reply }),
      (error: Error) => {
        process.stderr.write(`[credo-peer] ${command.cmd} failed: ${inspect(error)}\n`);
        send({
          kind: 'reply',
          reply: { id: command.id, ok: false, error: `${error.name}: ${error.message}` } satisfies Reply,
        });
      },
    );
  };

  send({ kind: 'ready', endpoint, pid: process.pid, credoVersion, startupMs: Date.now() - started });
  for (const line of early.splice(0)) onLine(line);
}
