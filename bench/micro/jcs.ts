/**
 * RFC 8785 canonical JSON: Usher's hand-written canonicalization and src/activitypub/jcs.ts against the
 * npm implementations `canonicalize` (by the RFC's co-author Samuel Erdtman) and `json-canonicalize`, on
 * the RFC's vectors first, then on an Invite activity as Usher signs it and on a DIDComm out-of-band
 * invitation. Run: `BENCH_PACKAGES=/tmp/pkgs npx tsx bench/micro/jcs.ts`, where /tmp/pkgs/node_modules
 * holds the packages (`npm install --prefix /tmp/pkgs canonicalize json-canonicalize`); without it they
 * come from the project's node_modules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { canonicalize as ours } from '../../src/activitypub/jcs';
import { canonicalizeHandWritten } from './hand-written-jcs';
import { AS_CONTEXT, buildInvite } from '../../src/activitypub/activities';
import { buildInvitation } from '../../src/didcomm/oob-invitation';
import { doubleOf, RFC8785_NUMBERS, RFC8785_VECTORS } from '../../test/fixtures/vectors/rfc8785';
import { compare, formatResults } from './compare';

type Canonicalize = (value: unknown) => string | undefined;

/** A package's default or named export, resolved from BENCH_PACKAGES when set. */
async function load(name: string, exportName: string): Promise<{ fn: Canonicalize; version: string }> {
  const base = process.env.BENCH_PACKAGES ? `${process.env.BENCH_PACKAGES}/` : import.meta.url;
  const require = createRequire(base);
  const entry = require.resolve(name);
  // Neither package exports its package.json, so its version is read from the folder the entry sits in.
  const root = entry.slice(0, entry.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}`.length);
  const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };
  const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const fn = module[exportName] ?? (module.default as Record<string, unknown>)[exportName];
  return { fn: fn as Canonicalize, version };
}

const erdtman = await load('canonicalize', 'default');
const snowyu = await load('json-canonicalize', 'canonicalize');
const contenders = [
  { name: 'hand-written (src/activitypub/jcs.ts before)', fn: canonicalizeHandWritten as Canonicalize },
  { name: 'src/activitypub/jcs.ts (now canonicalize)', fn: ours as Canonicalize },
  { name: `canonicalize ${erdtman.version}`, fn: erdtman.fn },
  { name: `json-canonicalize ${snowyu.version}`, fn: snowyu.fn },
];

// Correctness: every vector byte for byte, every Appendix B number, and a refusal where the RFC has no form.
for (const { name, fn } of contenders) {
  const wrong: string[] = RFC8785_VECTORS.filter((vector) => fn(vector.input) !== vector.output).map((v) => v.name);
  for (const [hex, expected] of RFC8785_NUMBERS) {
    let text: string | undefined | Error;
    try {
      text = fn(doubleOf(hex));
    } catch (error) {
      text = error as Error;
    }
    if (expected === null ? !(text instanceof Error) : text !== expected) wrong.push(`${hex} → ${String(text)}`);
  }
  for (const [label, value] of [['lone surrogate', { a: '\ud800' }]] as const) {
    try {
      fn(value);
      wrong.push(`${label} accepted`);
    } catch {
      // refused, as RFC 8785 §3.1 (I-JSON) wants
    }
  }
  const vectors = RFC8785_VECTORS.length + RFC8785_NUMBERS.length + 1;
  console.log(`${name}: ${wrong.length === 0 ? `all ${vectors} vectors hold` : `WRONG on ${wrong.join('; ')}`}`);
}

const invite = {
  ...buildInvite(
    {
      id: 'https://usher.example.com/ap/invites/0b6f6d9e-4f7a-4a39-9a55-2b1de5c1f3a8',
      actor: 'https://usher.example.com/ap/tenants/acme',
      invitee: 'https://social.example.net/users/ada',
      target: { type: 'Group', id: 'https://app.example.com/projects/42', name: 'Analytical Engine' },
      role: 'admin',
      rules: ['Financeur', 'Relecteur'],
      message: 'Join us on the Analytical Engine project — «bienvenue» 👋',
      published: '2026-12-06T16:00:00Z',
    },
    'object-invitee',
  ),
  '@context': [AS_CONTEXT, 'https://w3id.org/security/data-integrity/v1'],
};
const oob = buildInvitation({
  id: '7d1f3f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  label: 'Acme (via Usher)',
  verkey: 'GJ1SzoWzavQYfNL9XkaJdrQejfztN4XqdsiV4ct3LXKL',
  serviceEndpoint: 'https://usher.example.com/didcomm',
  handshakeProtocols: ['didexchange/1.1', 'connections/1.0'],
  goalCode: 'aries.vc.issue',
  goal: 'Join Acme',
});

for (const [title, value] of [
  [`an Invite activity (${ours(invite).length} bytes canonical)`, invite],
  [`a DIDComm out-of-band invitation (${ours(oob).length} bytes canonical)`, oob],
] as const) {
  const results = await compare(contenders.map(({ name, fn }) => ({ name, run: () => fn(value) })));
  console.log(`\n${formatResults(`canonicalize ${title}`, results)}`);
}
