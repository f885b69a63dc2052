import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher, type TestResponse } from '#support/usher';

/**
 * A bounded, deterministic fuzz of every operation in the app's own /openapi.json: per operation a
 * few dozen requests, each a valid body with one thing wrong (a field missing or of the wrong type,
 * huge, empty or odd text, a locale Intl rejects, a javascript: URL, a private DSN, bytes that are
 * not UTF-8, broken multipart), or junk path and query values. Bodies that are not JSON, wholly
 * malformed ones and wrong content types are test/malformed-input.test.ts's business. Runs on a server that does not
 * allow private networks, so the address rules are the production ones.
 */

const SEED = 20_241_206;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
// The tables a refused request could write to; counted in one query before and after each request.
const TABLES = [
  ...['tenants', 'api_keys', 'identities', 'contacts', 'invitations', 'invitation_events', 'invitation_tokens'],
  ...['outbox', 'memberships', 'redemptions', 'webhook_endpoints', 'provider_accounts', 'didcomm_connections'],
  ...['didcomm_mediators', 'proven_deletions'],
] as const;

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly body: any | null;
}

/** One request to send, and what it must come to beyond "no 5xx". */
interface Case {
  readonly op: Operation;
  readonly what: string;
  readonly url: string;
  readonly contentType: string | null;
  readonly body: string | Uint8Array<ArrayBuffer> | null;
  /** Input no route may accept: the answer must be a 4xx. */
  readonly mustRefuse: boolean;
}

/** Bodies the schema alone cannot make valid (a channel that needs no recipient, an account's fields). */
const BASE_BODIES: Readonly<Record<string, unknown>> = {
  createInvitation: { channel: 'link', usesAllowed: null },
  createInvitationsInBulk: { items: [{ channel: 'link' }] },
  updateTenant: { name: 'Acme' },
  createProviderAccount: { provider: 'linkedin', dsn: 'api1.unipile.com:13111', apiKey: 'k', accountId: 'a' },
  createContact: { email: 'fuzz@example.com' },
  createWebhookEndpoint: { url: 'https://hooks.example.com/usher', events: ['*'] },
  updateIdentity: { displayName: 'Fuzz' },
};

const ODD_LOCALES = ['zz-!!', 'en_US', '-', 'x'.repeat(35)];
const ODD_URLS = ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'JaVaScRiPt:alert(1)'];
const PRIVATE_DSNS = ['127.0.0.1:9', 'localhost:3000', 'http://[::1]:8080', 'https://10.0.0.1'];
const WRONG_TYPES: readonly unknown[] = [12345, true, null, [], {}, -1.5, [{ a: { b: [null] } }], { a: { b: [1] } }];
const ODD_TEXT = ['', ' ', 'x'.repeat(70_000), '\uD800', 'a\uDFFFb', '\uFFFF\uFFFE', '\u202E', '\u{1F600}'.repeat(99)];
const BROKEN_MULTIPART = 'multipart/form-data; boundary=zzz';
const BROKEN_MULTIPART_BODY = '--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb';

/** Percent-encodes text; a lone surrogate, which encodeURIComponent refuses, goes as its bytes (not UTF-8). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
  }
}

function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      out.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        body,
      });
    }
  }
  return out;
}

/** A small valid-looking value for a schema: required properties only, enums' first value, bounds respected. */
function minimal(doc: any, schema: any, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (!s || depth > 6) return null;
  if (s.allOf) return minimal(doc, s.allOf[0], depth + 1);
  if (s.anyOf ?? s.oneOf)
    return minimal(
      doc,
      (s.anyOf ?? s.oneOf).find((o: any) => o.type !== 'null'),
      depth + 1,
    );
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k: string) => [k, minimal(doc, s.properties?.[k], depth + 1)]));
    case 'array':
      return s.minItems ? [minimal(doc, s.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'email') return 'a@example.com';
      if (s.format === 'uri') return 'https://example.com/x';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return null;
  }
}

function resolve(doc: any, schema: any): any {
  return schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
}

/** Every property path of a body schema (nested objects included), with its schema. */
function propertyPaths(doc: any, schema: any, prefix: string[] = [], depth = 0): { path: string[]; schema: any }[] {
  const s = resolve(doc, schema);
  const inner = s?.allOf ? resolve(doc, s.allOf[0]) : s;
  if (!inner?.properties || depth > 3) return [];
  return Object.entries<any>(inner.properties).flatMap(([key, child]) => [
    { path: [...prefix, key], schema: child },
    ...propertyPaths(doc, child, [...prefix, key], depth + 1),
  ]);
}

/** A copy of `body` with `value` at `path` (objects made on the way), or without it when value is `undefined`. */
function withValue(body: unknown, path: readonly string[], value: unknown): unknown {
  const copy = structuredClone(body ?? {}) as Record<string, any>;
  let at = copy;
  for (const key of path.slice(0, -1)) {
    at = at[key] = typeof at[key] === 'object' && at[key] !== null && !Array.isArray(at[key]) ? at[key] : {};
  }
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

/** The JSON text of `body` with a byte that is not UTF-8 inside its first string (or a field made for it). */
function withInvalidUtf8(body: unknown): Uint8Array<ArrayBuffer> {
  const text = JSON.stringify(body);
  const at = text.indexOf('":"');
  const [head, tail] = at < 0 ? ['{"x":"', '"}'] : [text.slice(0, at + 3), text.slice(at + 3)];
  const bytes = [...new TextEncoder().encode(head), 0xff, 0xfe, ...new TextEncoder().encode(tail)];
  return new Uint8Array(bytes);
}

describeEachStore('fuzzing every documented operation', (engine) => {
  const usher = useTestUsher(engine, { allowPrivateNetwork: false });
  let doc: any;
  let token: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    doc = (await usher.request('GET', '/openapi.json', { key: null })).body;
    const link = { channel: 'link', purpose: 'fuzz', usesAllowed: null };
    const invitation = await usher.request('POST', '/v1/invitations', { body: link });
    const contact = await usher.request('POST', '/v1/contacts', { body: { email: 'c@example.com' } });
    const didcomm = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm', usesAllowed: null } });
    const account = await usher.request('POST', '/v1/provider-accounts', { body: BASE_BODIES.createProviderAccount });
    for (const res of [invitation, contact, didcomm, account]) {
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
    // An account stored before DSNs were checked at save: every look-up through it must be a 4xx.
    const { db } = usher.store;
    await db.updateTable('provider_accounts').set({ dsn: '127.0.0.1:9' }).where('id', '=', account.body.id).execute();
    token = tokenOf(invitation.body.url);
    ids = {
      invitations: invitation.body.id,
      contacts: contact.body.id,
      identities: usher.tenant.identity.id,
      'provider-accounts': account.body.id,
      invites: invitation.body.id,
      invitation: invitation.body.id,
      invitation_id: String(didcomm.body.number),
      purpose: 'fuzz',
      token,
    };
  });

  async function counts(): Promise<string> {
    const columns = TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ');
    const { rows } = await sql.raw<Record<string, unknown>>(`select ${columns}`).execute(usher.store.db);
    return TABLES.map((t) => `${t}=${Number(rows[0]![t])}`).join(' ');
  }

  /** The URL of an operation: a real id of this tenant for reads (when one fits), junk otherwise. */
  function urlFor(op: Operation, junk: readonly string[], real: boolean): string {
    let url = op.path;
    op.pathParams.forEach((name, i) => {
      const collection = op.path.split('/').at(op.path.split('/').indexOf(`{${name}}`) - 1) ?? '';
      const value = real ? (ids[name] ?? ids[collection] ?? (name === 'identifier' ? 'someone' : junk[i]!)) : junk[i]!;
      url = url.replace(`{${name}}`, encode(value));
    });
    return url;
  }

  /** The bounded, seeded set of requests for one operation. */
  function casesFor(op: Operation, index: number): Case[] {
    const rng = { seed: SEED + index };
    const junkParam = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.constantFrom('0', '-1', '9'.repeat(30), 'ffffffff-ffff-ffff-ffff-ffffffffffff', '..', '%', '@a@b'),
    );
    const junkParams = fc.sample(fc.array(junkParam, { minLength: 3, maxLength: 3 }), { ...rng, numRuns: 3 });
    const oddQuery = fc.constantFrom('-1', '0', '1e400', '[]', 'zz-!!', 'javascript:1', '\uD800', 'x'.repeat(5e3));
    const queryValues = fc.sample(fc.oneof(fc.string({ maxLength: 40 }), oddQuery), { ...rng, numRuns: 4 });
    const cases: Case[] = [];
    type Parts = Pick<Case, 'contentType' | 'body'> & { url?: string; mustRefuse?: boolean };
    const add = (what: string, c: Parts) => {
      const url = c.url ?? urlFor(op, junkParams[0]!, false);
      cases.push({ op, what, url, contentType: c.contentType, body: c.body, mustRefuse: c.mustRefuse ?? false });
    };
    const json = (what: string, value: unknown, mustRefuse = false) =>
      add(what, { contentType: 'application/json', body: JSON.stringify(value), mustRefuse });

    // Path and query: real ids where a read can use them, junk everywhere else.
    for (const [i, junk] of junkParams.entries()) {
      const real = op.method === 'GET' && i === 0;
      const keys = [...op.queryParams, 'limit', 'cursor'];
      const pairs = queryValues.slice(i, i + 2).map((v, j) => `${encode(keys[(i + j) % keys.length]!)}=${encode(v)}`);
      const query = pairs.join('&');
      const base = op.body ? JSON.stringify(BASE_BODIES[op.id] ?? minimal(doc, op.body)) : null;
      const url = `${urlFor(op, junk, real)}${query ? `?${query}` : ''}`;
      add(`path/query ${i}`, { url, contentType: base ? 'application/json' : null, body: base });
    }
    if (op.method === 'GET') return cases;

    // Every route that can read a body refuses broken multipart: it never reaches a handler.
    add('broken multipart', { contentType: BROKEN_MULTIPART, body: BROKEN_MULTIPART_BODY, mustRefuse: true });
    if (!op.body) return cases;

    const base = BASE_BODIES[op.id] ?? minimal(doc, op.body);
    const fields = propertyPaths(doc, op.body);
    add('not UTF-8', { contentType: 'application/json', body: withInvalidUtf8(base), mustRefuse: true });
    json('base', base);
    for (const key of resolve(doc, op.body).required ?? []) {
      json(`without ${key}`, withValue(base, [key], undefined), true);
    }
    const top = fields.filter((f) => f.path.length === 1);
    const wrong = fc.sample(fc.constantFrom(...WRONG_TYPES), { ...rng, numRuns: Math.max(1, top.length) });
    top.slice(0, 8).forEach((f, i) => json(`${f.path.join('.')} of the wrong type`, withValue(base, f.path, wrong[i])));
    const strings = fields.filter((f) => [resolve(doc, f.schema)?.type].flat().includes('string'));
    const odd = fc.sample(fc.constantFrom(...ODD_TEXT), { ...rng, numRuns: Math.max(1, strings.length) });
    strings.slice(0, 6).forEach((f, i) => json(`${f.path.join('.')} odd text`, withValue(base, f.path, odd[i])));
    // Values no route may take, wherever a field of that name is.
    const refused = (name: (key: string) => boolean, values: readonly string[]) => {
      for (const f of fields.filter((f) => name(f.path.at(-1)!))) {
        for (const value of values) json(`${f.path.join('.')}=${value}`, withValue(base, f.path, value), true);
      }
    };
    refused((key) => key === 'locale', ODD_LOCALES);
    refused((key) => /(url|iri)$/i.test(key), ODD_URLS);
    refused((key) => key === 'dsn', PRIVATE_DSNS);
    return cases;
  }

  /** Never a 5xx; a refusal is problem+json with a code (Proven keeps its own { error }) and changed nothing. */
  function failureOf(c: Case, res: TestResponse, changed: boolean): string | null {
    const request = `${c.op.method} ${c.url.slice(0, 120)} [${c.what.slice(0, 60)}]`;
    const answer = `${request} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
    if (res.status >= 500) return answer;
    if (c.mustRefuse && res.status < 400) return `${answer}\n  accepted input no route may accept`;
    if (res.status < 400) return null;
    const problem = String(res.headers.get('content-type')).startsWith('application/problem+json');
    const proven = c.op.path.startsWith('/api/v1/invitations') && !problem;
    const coded = proven
      ? typeof (res.body?.error ?? res.body?.warning) === 'string'
      : problem && typeof res.body?.code === 'string';
    if (!coded) return `${answer}\n  a refusal without its code`;
    if (changed) return `${answer}\n  refused, yet changed the database`;
    return null;
  }

  /** After a write that succeeded: the accept pages it could affect must still render. */
  async function probe(res: TestResponse): Promise<string | null> {
    const link = res.body?.url;
    const made = typeof link === 'string' && link.includes('/i/') ? [`/i/${tokenOf(link)}`] : [];
    const urls = [`/i/${token}`, ...made];
    for (const url of urls) {
      const page = await usher.app.request(url);
      if (page.status >= 500) return `GET ${url} → ${page.status} after that write`;
    }
    return null;
  }

  async function run(cases: readonly Case[], cookie?: string): Promise<string[]> {
    const failures: string[] = [];
    for (const c of cases) {
      const before = await counts();
      const headers = { ...(c.contentType ? { 'content-type': c.contentType } : {}), ...(cookie ? { cookie } : {}) };
      const res = await usher.request(c.op.method, c.url, { headers, ...(c.body !== null ? { raw: c.body } : {}) });
      const after = await counts();
      const wrote = res.status < 300 && c.op.method !== 'GET';
      const failure = failureOf(c, res, before !== after) ?? (wrote ? await probe(res) : null);
      if (failure) failures.push(failure);
    }
    return failures;
  }

  it('answers every one-fault request to every documented operation without a 5xx or a silent change', async () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(60);
    const cases = operations.flatMap((op, i) => casesFor(op, i));
    const failures = await run(cases);
    expect(failures.join('\n')).toBe('');
  }, 120_000);

  it('refuses broken multipart on every form the pages take, and changes nothing', async () => {
    const form = (path: string): Case => ({
      op: { id: path, method: 'POST', path, pathParams: [], queryParams: [], body: null },
      what: 'broken multipart',
      url: path,
      contentType: BROKEN_MULTIPART,
      body: BROKEN_MULTIPART_BODY,
      mustRefuse: true,
    });
    // Signed in, so the console's own forms are reached, not the sign-in redirect.
    const login = await usher.app.request('/console/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? '';
    const loginCookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const signedIn = await usher.app.request('/console/login', {
      method: 'POST',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, key: usher.tenant.apiKey.key }).toString(),
    });
    const cookie = signedIn.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    expect(cookie).toContain('usher_session=');
    const paths = [
      ...['/console/login', `/i/${token}/accept`, `/i/${token}/decline`],
      ...['/console/contacts', '/console/settings', '/console/webhooks', '/console/logout'],
    ];
    const failures = await run(paths.map(form), cookie);
    expect(failures.join('\n')).toBe('');
  });
});
