/**
 * Starts the example: `npm start` (Node 22.18+ runs this TypeScript as it is). Reads the environment, opens the
 * app's own SQLite file, listens, connects to Usher (which needs this app's address for the webhook endpoint and
 * the redirect URL, hence after listening), then serves.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createHostApp } from './app.ts';
import { readConfig } from './config.ts';
import { openStore } from './store.ts';
import { connectUsher } from './usher.ts';

const config = readConfig(process.env);
const store = openStore(config.databasePath);
// Until Usher is reached, the app is not ready: say so rather than leave a request hanging.
let listener: RequestListener = (_request, response) => {
  response.writeHead(503, { 'retry-after': '1' }).end('starting');
};
const server = createServer((request, response) => listener(request, response));
await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
const { port } = server.address() as AddressInfo;
const appUrl = config.appUrl ?? `http://${config.host}:${port}`;
const team = { name: 'Apollo', iri: `${appUrl}/team` };

const usher = await connectUsher({ usherUrl: config.usherUrl, apiKey: config.usherApiKey, appUrl, team, store });
const app = createHostApp({ store, usher, team, secureCookies: appUrl.startsWith('https:') });
listener = getRequestListener(app.fetch);
console.log(`Host app listening on ${appUrl} (Usher at ${config.usherUrl}, tenant ${usher.tenantId})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    store.close();
  });
}
