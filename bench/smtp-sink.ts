/**
 * A local SMTP server that accepts and counts messages, run as a child of the bench so that its
 * work does not slow the load generator's clock. It reports on stdout, one JSON line whenever the
 * count changed in the last 100 ms: the count and when the first and the latest message arrived,
 * stamped here, at the receiving end; with SINK_MARK=N also when the N-th arrived (markAt), so a
 * rate can leave out a sender's first N messages.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const mark = Number(process.env.SINK_MARK ?? 0);
const stats = { count: 0, bytes: 0, firstAt: 0, lastAt: 0, markAt: 0, duplicates: 0 };
/** Every Message-ID received: a second arrival of one is a message sent twice (two workers claiming one row). */
const seen = new Set<string>();
let reported = -1;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  // Enough sessions for Usher's pool (5) and any second worker process.
  maxClients: 100,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
      if (head.length < 8192) head += chunk.toString('utf8');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
      if (id && seen.has(id)) stats.duplicates += 1;
      if (id) seen.add(id);
      const now = Date.now();
      stats.count += 1;
      if (stats.firstAt === 0) stats.firstAt = now;
      if (stats.count === mark) stats.markAt = now;
      stats.lastAt = now;
      callback();
    });
  },
});
server.on('error', () => undefined);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo;
  process.stdout.write(`smtp sink listening on smtp://127.0.0.1:${port}\n`);
});

setInterval(() => {
  if (stats.count === reported) return;
  reported = stats.count;
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}, 100);

process.once('SIGTERM', () => server.close(() => process.exit(0)));
