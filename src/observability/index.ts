/** Observability: Prometheus metrics, readiness, request ids, the access log. */
export { accessLog, type RequestLogEntry } from './access-log';
export { createMetrics, type AdmissionCounts, type Metrics } from './metrics';
export { createObservabilityRoutes } from './routes';
export { requestId } from './request-id';
