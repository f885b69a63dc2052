import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/** The published documents copied into the repository (test/fixtures/specs, whose README says where each came from). */
export type PublishedSpec = 'datatrails-invitesv1.swagger.json' | 'proven-invitations.openapi.json';

/** Reads one published spec from test/fixtures/specs, never from outside the repository. */
export function readPublishedSpec(name: PublishedSpec): any {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'specs', name), 'utf8'));
}

// Swagger 2.0 and OpenAPI 3.0 schemas are JSON Schema with extra keywords (example, readOnly): strict off ignores them.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** DataTrails' Invites API swagger (seed 001). */
export const dataTrailsSwagger = readPublishedSpec('datatrails-invitesv1.swagger.json');
ajv.addSchema({
  $id: 'datatrails',
  definitions: JSON.parse(
    JSON.stringify(dataTrailsSwagger.definitions).replaceAll('"#/definitions/', '"datatrails#/definitions/'),
  ),
});

/** A definition of the DataTrails swagger as a validator, e.g. `dataTrailsSchema('v1Invite')`. */
export function dataTrailsSchema(definition: string): ValidateFunction {
  const validate = ajv.getSchema(`datatrails#/definitions/${definition}`);
  if (!validate) throw new Error(`the DataTrails swagger has no definition ${definition}`);
  return validate;
}

/** Checks a body against a DataTrails definition and that it carries exactly the documented fields. */
export function expectDataTrailsShape(
  definition: 'v1Invite' | 'v1ListInvitesResponse' | 'v1Caps',
  body: unknown,
): void {
  const validate = dataTrailsSchema(definition);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  expect(Object.keys(body as object).sort()).toEqual(
    Object.keys(dataTrailsSwagger.definitions[definition].properties).sort(),
  );
}

/** Indicio Proven's invitations document (seed 002). */
export const provenSpec = readPublishedSpec('proven-invitations.openapi.json');
const provenValidators = new Map<string, ValidateFunction>();

/** Checks an answer against the schema Proven documents for that operation (its path template) and status. */
export function expectProvenShape(
  method: string,
  path: string,
  res: { status: number; headers: Headers; body: unknown },
): void {
  const key = `${method} ${path} ${res.status}`;
  const documented = provenSpec.paths[path]?.[method.toLowerCase()]?.responses?.[String(res.status)];
  expect(documented, `Proven documents ${key}`).toBeDefined();
  let validate = provenValidators.get(key);
  if (!validate) {
    validate = ajv.compile(documented.content['application/json'].schema);
    provenValidators.set(key, validate);
  }
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(validate(res.body), `${key}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(res.body)}`).toBe(true);
}
