import { describe, expect, it } from 'vitest';
import { POSTGRES_SEMI_SPACE_MB, youngGenerationArgs } from './young-generation';

const PG = 'postgres://usher@db.internal/usher';
const RAISE = [`--max-semi-space-size=${POSTGRES_SEMI_SPACE_MB}`];

describe('the young generation a store gets', () => {
  it("leaves a SQLite server, or one with no store set (SQLite's default), with the options it has", () => {
    expect(youngGenerationArgs('sqlite:./data/usher.db', ['--max-semi-space-size=8'])).toBeNull();
    expect(youngGenerationArgs(undefined, ['--max-semi-space-size=8'])).toBeNull();
    expect(youngGenerationArgs('', [])).toBeNull();
  });

  it("raises npm start's 8 MB on PostgreSQL, under either URL scheme", () => {
    const start = ['--enable-source-maps', '--max-semi-space-size=8', '--max-old-space-size=192'];
    expect(youngGenerationArgs(PG, start)).toEqual(RAISE);
    expect(youngGenerationArgs('postgresql://usher@db.internal/usher', start)).toEqual(RAISE);
  });

  it("raises V8's default, and takes the last size given in either spelling, as V8 does", () => {
    expect(youngGenerationArgs(PG, ['--enable-source-maps'])).toEqual(RAISE);
    expect(youngGenerationArgs(PG, ['--max-semi-space-size=64', '--max_semi_space_size=8'])).toEqual(RAISE);
    expect(youngGenerationArgs(PG, ['--max-semi-space-size', '16'])).toEqual(RAISE);
  });

  it("reads NODE_OPTIONS where the command line gives no size, since node lets the command line's win", () => {
    expect(youngGenerationArgs(PG, [], '--max-old-space-size=256 --max-semi-space-size=64')).toBeNull();
    expect(youngGenerationArgs(PG, [], '--max-semi-space-size=8')).toEqual(RAISE);
    expect(youngGenerationArgs(PG, ['--max-semi-space-size=8'], '--max-semi-space-size=64')).toEqual(RAISE);
    expect(youngGenerationArgs(PG, ['--max-semi-space-size=64'], '--max-semi-space-size=8')).toBeNull();
  });

  it('changes nothing where the size is already enough, so the process runs itself again at most once', () => {
    expect(youngGenerationArgs(PG, ['--max-semi-space-size=8', ...RAISE])).toBeNull();
    expect(youngGenerationArgs(PG, ['--max_semi_space_size=64'])).toBeNull();
    expect(youngGenerationArgs(PG, ['--max-semi-space-size', '32'])).toBeNull();
  });
});
