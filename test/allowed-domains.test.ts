import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmtpMailer } from '#delivery';
import { describeEachStore } from '#support/stores';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const TARGET = { type: 'group', iri: 'https://example.com/g/staff', name: 'Staff' };

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A host application's key pair and an EdDSA JWT signed with it, made here with node:crypto alone. */
function hostKey(kid?: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  return {
    jwk: { kty: 'OKP', crv: 'Ed25519', x: x!, ...(kid ? { kid } : {}) },
    assert(claims: object): string {
      const input = `${b64({ alg: 'EdDSA', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(claims)}`;
      return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
    },
  };
}

describeEachStore('allowedDomains on a shareable link: only proved addresses at those domains', (engine) => {
  const smtp = {} as { server: TestSmtpServer };
  beforeAll(async () => {
    smtp.server = await startSmtpServer();
  });
  afterAll(async () => smtp.server.close());
  const usher = useTestUsher(engine, { mailer: () => createSmtpMailer(smtp.server.url, { maxConnections: 1 }) });

  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  const createLink = async (u: TestUsher, extra: Record<string, unknown> = {}) => {
    const link = await u.request('POST', '/v1/invitations', {
      body: {
        channel: 'link',
        usesAllowed: 5,
        role: 'member',
        target: TARGET,
        allowedDomains: ['Example.COM'],
        ...extra,
      },
    });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    return link.body as { id: string; url: string; allowedDomains: string[] };
  };
  const accept = (url: string, body: Record<string, unknown>) =>
    usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/accept`, { key: null, body });
  const askCode = (url: string, email: string) =>
    usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/email-code`, { key: null, body: { email } });
  const usesOf = async (id: string) => (await usher.request('GET', `/v1/invitations/${id}`)).body.usesCount;
  /** The code of the newest mail to `address`, read from what the SMTP server received. */
  const codeMailedTo = async (address: string) => {
    await drain();
    const mails = smtp.server.received.filter((m) => m.envelopeTo.includes(address));
    const text = mails.at(-1)?.parsed.text ?? '';
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    expect(code, `no code in the mail to ${address}: ${text}`).toBeDefined();
    return code!;
  };

  it('stores the domains lowercased, shows them to the operator and on the public view', async () => {
    const link = await createLink(usher);
    expect(link.allowedDomains).toEqual(['example.com']);
    const view = await usher.request('GET', `/v1/public/invitations/${tokenOf(link.url)}`, { key: null });
    expect(view.body.allowedDomains).toEqual(['example.com']);
  });

  it('refuses allowedDomains on an addressed invitation and a malformed domain', async () => {
    const addressed = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'ann@example.com' }, allowedDomains: ['example.com'] },
    });
    expect(addressed.status).toBe(400);
    expect(addressed.body).toMatchObject({ code: 'allowed_domains_need_open_link', field: 'body.allowedDomains' });
    const bad = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', allowedDomains: ['not a domain'] },
    });
    expect(bad.status).toBe(400);
  });

  it('refuses another domain and an unproved address, consuming nothing; admits the address proved by a mailed code', async () => {
    const link = await createLink(usher);
    const other = await accept(link.url, { email: 'eve@evil.example' });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'email_domain_not_allowed', field: 'body.email' });
    const sub = await accept(link.url, { email: 'eve@mail.example.com' });
    expect(sub.body.code).toBe('email_domain_not_allowed');
    const unproved = await accept(link.url, { email: 'ann@example.com' });
    expect(unproved.status).toBe(403);
    expect(unproved.body).toMatchObject({ code: 'email_proof_required', field: 'body.emailCode' });
    const otherCode = await askCode(link.url, 'eve@evil.example');
    expect(otherCode.body).toMatchObject({ code: 'email_domain_not_allowed', field: 'body.email' });
    expect(await usesOf(link.id)).toBe(0);

    const asked = await askCode(link.url, 'Ann@Example.com');
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const code = await codeMailedTo('ann@example.com');
    const mail = smtp.server.received.filter((m) => m.envelopeTo.includes('ann@example.com')).at(-1)!;
    expect(mail.parsed.subject).toContain('Staff');
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await accept(link.url, { email: 'ann@example.com', emailCode: wrong });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'email_code_invalid', field: 'body.emailCode', attemptsLeft: 4 });
    // Someone else's address cannot use Ann's code.
    const borrowed = await accept(link.url, { email: 'bob@example.com', emailCode: code });
    expect(borrowed.body.code).toBe('email_code_invalid');
    expect(await usesOf(link.id)).toBe(0);

    const accepted = await accept(link.url, { email: 'ann@example.com', emailCode: code, name: 'Ann' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership.member).toMatchObject({ key: 'email:ann@example.com', email: 'ann@example.com' });
    expect(await usesOf(link.id)).toBe(1);
    // Used up: the same code opens nothing twice.
    const replay = await accept(link.url, { email: 'ann@example.com', emailCode: code });
    expect(replay.body.code).toBe('email_code_invalid');
  });

  it('refuses an expired code', async () => {
    const link = await createLink(usher);
    expect((await askCode(link.url, 'cat@example.com')).status).toBe(202);
    const code = await codeMailedTo('cat@example.com');
    usher.clock.advance(10 * 60_000 + 1);
    const late = await accept(link.url, { email: 'cat@example.com', emailCode: code });
    expect(late.status).toBe(403);
    expect(late.body).toMatchObject({ code: 'email_code_invalid', field: 'body.emailCode' });
    expect(await usesOf(link.id)).toBe(0);
  });

  it('kills a code after five wrong tries, so even the right one is refused; a new code works', async () => {
    const link = await createLink(usher);
    await askCode(link.url, 'dan@example.com');
    const code = await codeMailedTo('dan@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const refused = await accept(link.url, { email: 'dan@example.com', emailCode: wrong });
      expect(refused.body).toMatchObject({ code: 'email_code_invalid', attemptsLeft: left });
    }
    const dead = await accept(link.url, { email: 'dan@example.com', emailCode: code });
    expect(dead.body.code).toBe('email_code_invalid');
    await askCode(link.url, 'dan@example.com');
    const fresh = await codeMailedTo('dan@example.com');
    expect((await accept(link.url, { email: 'dan@example.com', emailCode: fresh })).status).toBe(200);
  });

  it("admits an address the host application's signed assertion proves, and refuses a forged or misdirected one", async () => {
    const host = hostKey('host-1');
    const patched = await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { emailAssertionKeys: [host.jwk] } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const link = await createLink(usher);
    const exp = Math.floor(usher.clock.now().getTime() / 1000) + 300;
    const claims = { email: 'Eve@example.com', aud: link.id, exp };

    const forged = await accept(link.url, {
      email: 'eve@example.com',
      emailAssertion: hostKey('host-1').assert(claims),
    });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'email_assertion_invalid', field: 'body.emailAssertion' });
    const elsewhere = await accept(link.url, {
      email: 'eve@example.com',
      emailAssertion: host.assert({ ...claims, aud: 'another-invitation' }),
    });
    expect(elsewhere.body.code).toBe('email_assertion_invalid');
    const someoneElse = await accept(link.url, { email: 'mallory@example.com', emailAssertion: host.assert(claims) });
    expect(someoneElse.body.code).toBe('email_assertion_invalid');
    const stale = await accept(link.url, {
      email: 'eve@example.com',
      emailAssertion: host.assert({ ...claims, exp: exp - 600 }),
    });
    expect(stale.body.code).toBe('email_assertion_invalid');
    expect(await usesOf(link.id)).toBe(0);

    const accepted = await accept(link.url, { email: 'eve@example.com', emailAssertion: host.assert(claims) });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership.member.email).toBe('eve@example.com');
    expect(await usesOf(link.id)).toBe(1);
  });

  it('leaves a link without allowedDomains as it was: no proof asked, no code to ask for', async () => {
    const link = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: 2 } });
    expect(link.body.allowedDomains).toBeNull();
    expect((await accept(link.body.url, { email: 'zed@anywhere.example' })).status).toBe(200);
    const asked = await askCode(link.body.url, 'zed@anywhere.example');
    expect(asked.status).toBe(409);
    expect(asked.body.code).toBe('email_proof_not_needed');
  });
});
