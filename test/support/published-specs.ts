import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The published documents copied into the repository (test/fixtures/specs, README there says where each came from). */
export type PublishedSpec = 'datatrails-invitesv1.swagger.json' | 'proven-invitations.openapi.json';

/** Reads one published spec from test/fixtures/specs, never from outside the repository. */
export function readPublishedSpec(name: PublishedSpec): any {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'specs', name), 'utf8'));
}
