/**
 * Credo's HTTP inbound DIDComm transport, on node:http instead of Express.
 *
 * It behaves like DidCommHttpInboundTransport of @credo-ts/node 0.6 (which is not published as a
 * stable 0.6 release, and whose package depends on native ffi modules): POST only; the
 * Content-Type must be exactly `application/didcomm-envelope-enc` or `application/ssi-agent-wire`
 * (anything else, parameters included, is 415); the body is handed to the agent as a received
 * message with this request as a transport session (so return-route replies go back in the
 * response, with the request's content type); the response is sent once the agent has processed
 * the message: 200 with an empty body, or 500 if processing failed.
 *
 * Each exchange is also reported to `observe`, so tests can see what was posted to the peer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { EventEmitter, type AgentContext } from '@credo-ts/core';
import {
  DidCommEventTypes,
  DidCommMimeType,
  DidCommModuleConfig,
  DidCommTransportService,
  type DidCommEncryptedMessage,
  type DidCommInboundTransport,
  type DidCommMessageProcessedEvent,
  type DidCommTransportSession,
} from '@credo-ts/didcomm';

const SUPPORTED: string[] = [DidCommMimeType.V0, DidCommMimeType.V1];
const MAX_BODY = 5 * 1024 * 1024;

export interface InboundObservation {
  readonly path: string;
  readonly method: string;
  readonly contentType: string | null;
  readonly status: number;
  readonly responseContentType: string | null;
  /** The raw body as posted (truncated to 64 KiB). */
  readonly body: string;
  readonly error?: string;
}

export class NodeHttpInboundTransport implements DidCommInboundTransport {
  readonly #server: Server;
  readonly #path: string;
  readonly #observe: (observation: InboundObservation) => void;
  readonly #processedTimeoutMs: number;
  #handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  public constructor(options: {
    server: Server;
    path?: string;
    processedMessageListenerTimeoutMs?: number;
    observe?: (observation: InboundObservation) => void;
  }) {
    this.#server = options.server;
    this.#path = options.path ?? '/';
    this.#observe = options.observe ?? (() => undefined);
    this.#processedTimeoutMs = options.processedMessageListenerTimeoutMs ?? 10_000;
  }

  public async start(agentContext: AgentContext): Promise<void> {
    this.#handler = (req, res) => {
      void this.handle(agentContext, req, res);
    };
    this.#server.on('request', this.#handler);
  }

  public async stop(): Promise<void> {
    if (this.#handler) this.#server.off('request', this.#handler);
    this.#handler = undefined;
  }

  private async handle(agentContext: AgentContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const contentType = req.headers['content-type'] ?? null;
    let body = '';
    const finish = (status: number, error?: string, text?: string) => {
      if (!res.headersSent) {
        res.statusCode = status;
        if (text !== undefined) res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(text ?? '');
      }
      this.#observe({
        path,
        method: req.method ?? '',
        contentType,
        status: res.statusCode,
        responseContentType: (res.getHeader('content-type') as string | undefined) ?? null,
        body: body.slice(0, 65_536),
        ...(error ? { error } : {}),
      });
    };

    if (req.method !== 'POST' || path !== this.#path) {
      req.resume();
      return finish(404, 'not found', `Cannot ${req.method} ${path}`);
    }
    try {
      body = await readBody(req);
    } catch (error) {
      return finish(413, (error as Error).message, (error as Error).message);
    }
    if (!contentType || !SUPPORTED.includes(contentType)) {
      return finish(
        415,
        `unsupported content-type ${contentType}`,
        `Unsupported content-type. Supported content-types are: ${SUPPORTED.join(', ')}`,
      );
    }

    const transportService = agentContext.dependencyManager.resolve(DidCommTransportService);
    const session = new HttpSession(randomUUID(), contentType, res);
    try {
      const encryptedMessage = JSON.parse(body) as DidCommEncryptedMessage;
      const eventEmitter = agentContext.dependencyManager.resolve(EventEmitter);
      const processed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`message not processed within ${this.#processedTimeoutMs} ms`));
        }, this.#processedTimeoutMs);
        const listener = (event: DidCommMessageProcessedEvent) => {
          if (event.payload.encryptedMessage !== encryptedMessage) return;
          cleanup();
          resolve();
        };
        const cleanup = () => {
          clearTimeout(timer);
          eventEmitter.off(DidCommEventTypes.DidCommMessageProcessed, listener);
        };
        eventEmitter.on(DidCommEventTypes.DidCommMessageProcessed, listener);
      });
      eventEmitter.emit(agentContext, {
        type: DidCommEventTypes.DidCommMessageReceived,
        payload: { message: encryptedMessage, session },
      });
      await processed;
      finish(200);
    } catch (error) {
      agentContext.config.logger.error(`Error processing inbound message: ${(error as Error).message}`, { error });
      finish(500, (error as Error).message, 'Error processing message');
    } finally {
      transportService.removeSession(session);
    }
  }
}

class HttpSession implements DidCommTransportSession {
  public readonly type = 'http';
  public readonly id: string;
  readonly #requestContentType: string;
  readonly #res: ServerResponse;

  public constructor(id: string, requestContentType: string, res: ServerResponse) {
    this.id = id;
    this.#requestContentType = requestContentType;
    this.#res = res;
  }

  public async close(): Promise<void> {
    if (!this.#res.headersSent) {
      this.#res.statusCode = 200;
      this.#res.end();
    }
  }

  public async send(agentContext: AgentContext, encryptedMessage: DidCommEncryptedMessage): Promise<void> {
    if (this.#res.headersSent) throw new Error('http transport session has been closed.');
    let mimeType = agentContext.dependencyManager.resolve(DidCommModuleConfig).didCommMimeType;
    if (SUPPORTED.includes(this.#requestContentType)) mimeType = this.#requestContentType;
    this.#res.statusCode = 200;
    this.#res.setHeader('content-type', mimeType);
    this.#res.end(JSON.stringify(encryptedMessage));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
