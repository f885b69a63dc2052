import type { Migration } from 'kysely';
import * as core from './0001-core';

/** Every migration, in order. Names are frozen once shipped. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-core': core,
});
