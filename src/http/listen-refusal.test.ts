import { describe, expect, it } from 'vitest';
import { listenRefusal } from './listen-refusal';

const failure = (code: string, message = `listen ${code}`) => Object.assign(new Error(message), { code });

describe('listenRefusal', () => {
  it('names the address, the cause a newcomer meets and the setting that changes it', () => {
    expect(listenRefusal(failure('EADDRINUSE'), '127.0.0.1', 8080)).toBe(
      'cannot listen on 127.0.0.1:8080: another process (another Usher?) is using it; set PORT to a free port, or 0 for any',
    );
    expect(listenRefusal(failure('EACCES'), '0.0.0.0', 80)).toMatch(
      /^cannot listen on 0\.0\.0\.0:80: not permitted .* set PORT to 1024 or above$/,
    );
    expect(listenRefusal(failure('EADDRNOTAVAIL'), '10.9.9.9', 8080)).toMatch(
      /10\.9\.9\.9 is not an address of this machine; set HOST/,
    );
    expect(listenRefusal(failure('ENOTFOUND'), 'usher.internal', 8080)).toMatch(/usher\.internal is not an address/);
  });

  it('brackets an IPv6 host and keeps the system’s words for anything else', () => {
    expect(listenRefusal(failure('EADDRINUSE'), '::1', 8080)).toMatch(/^cannot listen on \[::1\]:8080: /);
    expect(listenRefusal(failure('EMFILE', 'too many open files'), '127.0.0.1', 8080)).toBe(
      'cannot listen on 127.0.0.1:8080: too many open files',
    );
  });
});
