import { describe, expect, it } from 'vitest';
import { clientKey, trustedProxyList } from './client-address';

describe('clientKey', () => {
  it('keeps an IPv4 address whole and counts an IPv6 one by its /64', () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:0:0:b')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});

describe('trustedProxyList', () => {
  it('takes addresses and CIDR blocks of both families, and refuses anything else by name', () => {
    const list = trustedProxyList(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
    for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', 'proxy.internal', '10.0.0.0/x']) {
      expect(() => trustedProxyList([bad])).toThrow(`"${bad}" is not an IP address or CIDR block`);
    }
  });
});
