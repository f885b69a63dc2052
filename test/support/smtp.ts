import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it, parsed by an independent MIME parser. */
export interface ReceivedMail {
  readonly envelopeTo: string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives; it can be taken down and up again on the same port. */
export interface TestSmtpServer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Stops listening (connections are refused) until up() is called. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  /** Waits until at least `count` messages arrived, or fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

function createServer(received: ReceivedMail[], options: SmtpOptions): SMTPServer {
  const server = new SMTPServer({
    authOptional: true,
    // Going down means going down: drop pooled client connections at once instead of waiting 30 s.
    closeTimeout: 50,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
            // A slow server makes "in the middle of a batch" a wide window rather than luck.
            if (options.delayMs) setTimeout(() => callback(), options.delayMs);
            else callback();
          })
          .catch(callback);
      });
    },
  });
  // A client that dies mid-session (the crash tests kill workers) resets its socket; that is
  // the client's failure to report, not this server's.
  server.on('error', () => undefined);
  return server;
}

export interface SmtpOptions {
  /** Refuse these recipients with 550. */
  readonly rejectRecipient?: (address: string) => boolean;
  /** Wait this long before acknowledging each message. */
  readonly delayMs?: number;
}

/** Starts the server on a free loopback port. */
export async function startSmtpServer(options: SmtpOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let server = createServer(received, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  let listening = true;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async down() {
      if (!listening) return;
      listening = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      if (listening) return;
      server = createServer(received, options);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      listening = true;
    },
    async close() {
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      listening = false;
    },
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
