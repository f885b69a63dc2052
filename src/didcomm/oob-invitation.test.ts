import { describe, expect, it } from 'vitest';
import { encodeBase64Url, utf8 } from './encoding';
import { normalizeType, protocolOf } from './messages';
import { buildInvitation, invitationUrlOf, parseInvitationUrl } from './oob-invitation';

// Aries RFC 0434 §Standard Out-of-Band Message Encoding: the Faber College example URL.
const RFC_0434_URL =
  'http://example.com/ssi?oob=eyJAdHlwZSI6Imh0dHBzOi8vZGlkY29tbS5vcmcvb3V0LW9mLWJhbmQvMS4xL2ludml0YXRpb24iLCJAaWQiOiI2OTIxMmEzYS1kMDY4LTRmOWQtYTJkZC00NzQxYmNhODlhZjMiLCJsYWJlbCI6IkZhYmVyIENvbGxlZ2UiLCJnb2FsX2NvZGUiOiJpc3N1ZS12YyIsImdvYWwiOiJUbyBpc3N1ZSBhIEZhYmVyIENvbGxlZ2UgR3JhZHVhdGUgY3JlZGVudGlhbCIsImhhbmRzaGFrZV9wcm90b2NvbHMiOlsiaHR0cHM6Ly9kaWRjb21tLm9yZy9kaWRleGNoYW5nZS8xLjAiLCJodHRwczovL2RpZGNvbW0ub3JnL2Nvbm5lY3Rpb25zLzEuMCJdLCJzZXJ2aWNlcyI6WyJkaWQ6c292OkxqZ3BTVDJyanNveFllZ1FEUm03RUwiXX0';

// A connection invitation in the legacy did:sov type prefix, published behind ?oob= by a Lissi agent.
const LISSI_URL =
  'https://oob.lissi.io/ssi?oob=eyJAdHlwZSI6ImRpZDpzb3Y6QnpDYnNOWWhNcmpIaXFaRFRVQVNIZztzcGVjL2Nvbm5lY3Rpb25zLzEuMC9pbnZpdGF0aW9uIiwiQGlkIjoiMGU0NmEzYWEtMzUyOC00OTIxLWJmYjItN2JjYjk0NjVjNjZjIiwibGFiZWwiOiJTdGFkdCB8IExpc3NpLURlbW8iLCJzZXJ2aWNlRW5kcG9pbnQiOiJodHRwczovL2RlbW8tYWdlbnQuaW5zdGl0dXRpb25hbC1hZ2VudC5saXNzaS5pZC9kaWRjb21tLyIsImltYWdlVXJsIjoiaHR0cHM6Ly9yb3V0aW5nLmxpc3NpLmlvL2FwaS9JbWFnZS9kZW1vTXVzdGVyaGF1c2VuIiwicmVjaXBpZW50S2V5cyI6WyJEZlcxbzM2ekxuczlVdGlDUGQyalIyS2pvcnRvZkNhcFNTWTdWR2N2WEF6aCJdfQ';

const content = {
  id: '0190a5b2-0000-7000-8000-000000000001',
  label: 'Acme',
  verkey: 'DfW1o36zLns9UtiCPd2jR2KjortofCapSSY7VGcvXAzh',
  serviceEndpoint: 'https://usher.example/didcomm',
  handshakeProtocols: ['didexchange/1.1'] as const,
};

describe('invitation URLs', () => {
  it('reads the RFC 0434 example, and says that its did:sov service needs a ledger', () => {
    expect(() => parseInvitationUrl(RFC_0434_URL)).toThrowError(
      expect.objectContaining({ code: 'invitation_unsupported' }),
    );
  });

  it('reads a legacy-prefixed connection invitation behind ?oob=, as Lissi publishes them', () => {
    const parsed = parseInvitationUrl(LISSI_URL);
    expect(parsed).toMatchObject({
      kind: 'connections',
      id: '0e46a3aa-3528-4921-bfb2-7bcb9465c66c',
      label: 'Stadt | Lissi-Demo',
      handshakeProtocols: ['connections/1.0'],
      service: {
        serviceEndpoint: 'https://demo-agent.institutional-agent.lissi.id/didcomm/',
        recipientKeys: ['DfW1o36zLns9UtiCPd2jR2KjortofCapSSY7VGcvXAzh'],
        routingKeys: [],
      },
    });
  });

  it('round-trips its own out-of-band invitation, with did:key recipient keys read back as verkeys', () => {
    const message = buildInvitation({
      ...content,
      handshakeProtocols: ['didexchange/1.1', 'connections/1.0'],
      goalCode: 'aries.rel.build',
    });
    const url = invitationUrlOf(content.serviceEndpoint, message);
    expect(url.startsWith('https://usher.example/didcomm?oob=')).toBe(true);
    const parsed = parseInvitationUrl(url);
    expect(parsed).toMatchObject({
      kind: 'oob',
      id: content.id,
      label: 'Acme',
      handshakeProtocols: ['didexchange/1.1', 'connections/1.0'],
    });
    expect(parsed.service).toMatchObject({ serviceEndpoint: content.serviceEndpoint, recipientKeys: [content.verkey] });
    expect(parsed.message).toMatchObject({
      goal_code: 'aries.rel.build',
      accept: ['didcomm/aip1', 'didcomm/aip2;env=rfc19'],
    });
  });

  it('can name its service by a did:peer:2 that resolves to the same key and endpoint', () => {
    const message = buildInvitation({ ...content, serviceForm: 'did' });
    expect((message.services as string[])[0]).toMatch(/^did:peer:2\./);
    expect(parseInvitationUrl(invitationUrlOf(content.serviceEndpoint, message)).service).toMatchObject({
      serviceEndpoint: content.serviceEndpoint,
      recipientKeys: [content.verkey],
    });
  });

  it('writes a Connections-1.0-only invitation as an RFC 0160 c_i invitation', () => {
    const url = invitationUrlOf(
      content.serviceEndpoint,
      buildInvitation({ ...content, handshakeProtocols: ['connections/1.0'] }),
    );
    expect(url).toContain('?c_i=');
    expect(parseInvitationUrl(url)).toMatchObject({
      kind: 'connections',
      service: { recipientKeys: [content.verkey] },
    });
  });

  it('reads padded standard base64 too, with a + turned into a space by a careless URL decoder', () => {
    const message = buildInvitation(content);
    const standard = Buffer.from(JSON.stringify(message)).toString('base64');
    expect(parseInvitationUrl(`https://x.example/?oob=${standard}`).id).toBe(content.id);
    expect(parseInvitationUrl(`https://x.example/?oob=${standard.replace(/\+/g, ' ')}`).id).toBe(content.id);
  });

  it('refuses what is not an invitation, naming the field', () => {
    const encode = (value: unknown) => `https://x.example/?oob=${encodeBase64Url(utf8(JSON.stringify(value)))}`;
    const cases: Array<[string, string]> = [
      ['not a url', 'invitation_url_malformed'],
      ['https://x.example/?foo=bar', 'invitation_url_malformed'],
      ['https://x.example/?oob=%%%', 'invitation_url_malformed'],
      [encode([1, 2]), 'invitation_url_malformed'],
      [encode({ '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': 'x' }), 'invitation_unsupported'],
      [
        encode({
          '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
          '@id': 'x',
          handshake_protocols: ['https://didcomm.org/didexchange/2.0'],
          services: [],
        }),
        'invitation_unsupported',
      ],
      [
        encode({
          '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
          '@id': 'x',
          handshake_protocols: ['https://didcomm.org/didexchange/1.1'],
          services: [{ serviceEndpoint: 'https://a', recipientKeys: ['not-a-key'] }],
        }),
        'invitation_unsupported',
      ],
    ];
    for (const [url, code] of cases) {
      expect(() => parseInvitationUrl(url), url).toThrowError(
        expect.objectContaining({ code, field: 'body.invitationUrl' }),
      );
    }
  });
});

describe('message types', () => {
  it('reads the legacy did:sov prefix and any minor version as the same type (RFC 0348, RFC 0003)', () => {
    expect(normalizeType('did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/connections/1.0/request')).toBe(
      'https://didcomm.org/connections/1/request',
    );
    expect(normalizeType('https://didcomm.org/didexchange/1.0/response')).toBe(
      normalizeType('https://didcomm.org/didexchange/1.1/response'),
    );
    expect(protocolOf('https://didcomm.org/didexchange/1.0/request')).toBe('didexchange/1.0');
    expect(protocolOf('https://didcomm.org/didexchange/1.3/request')).toBe('didexchange/1.1');
    expect(protocolOf('https://didcomm.org/didexchange/2.0/request')).toBeNull();
  });
});
