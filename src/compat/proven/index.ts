/** Indicio Proven's invitations API on Usher (seed 002): the front door of this surface. */
export { createProvenRoutes } from './routes';
