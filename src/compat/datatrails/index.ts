/**
 * The DataTrails Invites API v1 on Usher (seed 001; its swagger is
 * test/fixtures/specs/datatrails-invitesv1.swagger.json).
 */
export { createDataTrailsRoutes } from './routes';
