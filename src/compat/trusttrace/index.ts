/** TrustTrace compatibility (seed 000): its identity and invitation requests, unmodified, on Usher. */
export { createTrustTraceRoutes } from './routes';
