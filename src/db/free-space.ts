import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Free space a store's file system needs before readiness says a store that ran out can write again: a
 * thousand pages, what the WAL holds before it is checkpointed.
 */
const NEEDED_BYTES = 4 * 1024 * 1024;

/**
 * Throws a SQLITE_FULL-coded error when the file system holding `file` has less than NEEDED_BYTES free. A full
 * disk can take a one-page probe write into WAL space a failed COMMIT had already allocated while refusing the
 * 25 pages of a create, so a successful probe write alone does not prove there is room.
 */
export async function assertRoomFor(file: string): Promise<void> {
  const { bavail, bsize } = await statfs(dirname(file));
  if (bavail * bsize < NEEDED_BYTES) {
    throw Object.assign(new Error(`the store's file system has ${bavail * bsize} bytes free`), { code: 'SQLITE_FULL' });
  }
}
