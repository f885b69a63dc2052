import { describe, expect, it } from 'vitest';
import { allocatorEnvironment, MMAP_THRESHOLD_BYTES } from './allocator-environment.mjs';

describe('the allocator environment a server starts with', () => {
  it('fixes glibc’s mmap threshold on Linux', () => {
    expect(allocatorEnvironment({}, 'linux')).toEqual({ MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) });
  });

  it('leaves an operator’s own threshold, even an empty one, so the process runs itself again at most once', () => {
    expect(allocatorEnvironment({ MALLOC_MMAP_THRESHOLD_: '1048576' }, 'linux')).toBeNull();
    expect(allocatorEnvironment({ MALLOC_MMAP_THRESHOLD_: '' }, 'linux')).toBeNull();
  });

  it('asks nothing where glibc does not run', () => {
    expect(allocatorEnvironment({}, 'darwin')).toBeNull();
    expect(allocatorEnvironment({}, 'win32')).toBeNull();
  });
});
