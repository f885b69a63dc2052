/** The DataTrails Invites API v1 on Usher (shared/seeds/001, datatrails-invitesv1.swagger.json). */
export { createDataTrailsRoutes } from './routes';
