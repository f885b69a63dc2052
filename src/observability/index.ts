/** Observability: Prometheus metrics, readiness, request ids. */
export { createMetrics, type Metrics } from './metrics';
export { createObservabilityRoutes } from './routes';
export { requestId } from './request-id';
