import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, webhookHeaders } from './signature';

const body = JSON.stringify({ type: 'invitation.accepted', data: { id: 'inv_1', name: 'Zoë' } });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('webhook signatures', () => {
  it('makes whsec_ secrets holding 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs so that the standardwebhooks library verifies the message', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'msg_1', nowSeconds(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("matches the library's own signature byte for byte", () => {
    const secret = newWebhookSecret();
    const at = nowSeconds();
    expect(signWebhook(secret, 'msg_2', at, body)).toBe(new Webhook(secret).sign('msg_2', new Date(at * 1000), body));
  });

  it('is refused for a tampered body', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'msg_3', nowSeconds(), body);
    expect(() => new Webhook(secret).verify(body.replace('accepted', 'declined'), { ...headers })).toThrow(
      /signature/i,
    );
  });

  it('is refused under another secret', () => {
    const headers = webhookHeaders(newWebhookSecret(), 'msg_4', nowSeconds(), body);
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(/signature/i);
  });

  it('is refused when the timestamp is more than five minutes old', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'msg_5', nowSeconds() - 6 * 60, body);
    expect(() => new Webhook(secret).verify(body, { ...headers })).toThrow(/too old/i);
  });

  it('is refused when another message id is claimed', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'msg_6', nowSeconds(), body);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_7' })).toThrow(/signature/i);
  });
});
