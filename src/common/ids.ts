import { takeRandom } from './random-pool';

/**
 * The last id's millisecond and counter. Process-wide on purpose: ids must increase across every
 * caller in the process so rows written in one millisecond (an invitation's events in one
 * transaction) keep their order. RFC 9562 §6.2, method 1: a 12-bit counter in rand_a.
 */
const state = { ms: 0, counter: 0 };

/**
 * A UUIDv7 (RFC 9562 §5.7): time-ordered, so new rows append to indexes, and monotonic within
 * this process. `now` lets callers stamp ids with the clock they were given.
 */
export function newId(now: number = Date.now()): string {
  if (now > state.ms) {
    state.ms = now;
    // Start low in the counter's range so a burst in one millisecond rarely overflows it.
    state.counter = takeRandom(2).readUInt16BE(0) & 0x3ff;
  } else if (++state.counter > 0xfff) {
    state.ms += 1;
    state.counter = 0;
  }
  // Written in place: these pool bytes are spent, and the next refill overwrites them.
  const bytes = takeRandom(16);
  bytes.writeUIntBE(state.ms, 0, 6);
  bytes[6] = 0x70 | (state.counter >> 8);
  bytes[7] = state.counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lower-case UUID string of any version. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
