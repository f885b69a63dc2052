/**
 * Prometheus metrics (`/metrics`): HTTP requests and latencies by route pattern, and, read from
 * the database at scrape time so every process reports the same truth, invitations by status and
 * channel, outbox depth, age and rows retrying by topic, and delivery attempts by outcome. No tenant labels:
 * the endpoint shows aggregates only.
 */
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import type { Admission } from '#http/admission';
import { countAttemptsByOutcome, countRetrying, countWaitingByTopic, oldestDueByTopic } from '#delivery';
import { countInvitationsByStatusAndChannel } from '#invitations';

export interface Metrics {
  readonly registry: Registry;
  /** Counts and times every request, labelled by the matched route pattern (never the raw path). */
  readonly middleware: MiddlewareHandler;
  /** Counts rows retention deleted, by table (`usher_retention_pruned_rows_total`). */
  countPruned(counts: Readonly<Record<string, number>>): void;
}

/** What the server's admission counts: requests waiting their turn, and let in late. */
export type AdmissionCounts = Pick<Admission, 'waiting' | 'letInLate'>;

/** Builds a registry of its own (several apps in one test process must not share one). */
export function createMetrics(db: Kysely<Database>, clock: Clock, admission?: AdmissionCounts): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'usher_' });
  if (admission) {
    new Gauge({
      name: 'usher_http_requests_waiting',
      help: 'Requests waiting their turn (USHER_MAX_CONCURRENT_REQUESTS) before they are read',
      registers: [registry],
      collect() {
        this.set(admission.waiting());
      },
    });
    new Counter({
      name: 'usher_http_requests_let_in_late_total',
      help: 'Requests let in past USHER_MAX_CONCURRENT_REQUESTS after waiting a second: the limit is too low',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(admission.letInLate());
      },
    });
  }
  const requests = new Counter({
    name: 'usher_http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'usher_http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'usher_invitations',
    help: 'Invitations by stored status and channel',
    labelNames: ['status', 'channel'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await countInvitationsByStatusAndChannel(db);
      for (const { status, channel, count } of rows) this.set({ status, channel }, count);
    },
  });
  new Gauge({
    name: 'usher_outbox_depth',
    help: 'Outbox rows waiting to be delivered (pending or being sent), by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { topic, count } of await countWaitingByTopic(db)) this.set({ topic }, count);
    },
  });
  new Gauge({
    name: 'usher_outbox_oldest_age_seconds',
    help: 'Age of the oldest outbox row that is due and not yet delivered, by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = clock.now();
      for (const { topic, oldest } of await oldestDueByTopic(db, now)) {
        this.set({ topic }, Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000));
      }
    },
  });
  new Gauge({
    name: 'usher_outbox_retrying',
    help: 'Outbox rows whose last attempt failed and that wait for another, by topic: a channel that keeps failing',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { topic, count } of await countRetrying(db)) this.set({ topic }, count);
    },
  });
  new Gauge({
    name: 'usher_delivery_attempts',
    help: 'Delivery attempts recorded, by topic and outcome (less those retention deleted: usher_retention_pruned_rows_total)',
    labelNames: ['topic', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { topic, outcome, count } of await countAttemptsByOutcome(db)) this.set({ topic, outcome }, count);
    },
  });
  const pruned = new Counter({
    name: 'usher_retention_pruned_rows_total',
    help: 'Rows deleted by retention (USHER_RETENTION_DAYS) in this process, by table',
    labelNames: ['table'],
    registers: [registry],
  });

  return {
    registry,
    countPruned(counts) {
      for (const [table, count] of Object.entries(counts)) if (count > 0) pruned.inc({ table }, count);
    },
    async middleware(c, next) {
      const started = performance.now();
      await next();
      // The route pattern (/v1/invitations/:id), so label values stay few whatever paths are requested.
      const route = c.req.routePath || 'unmatched';
      requests.inc({ method: c.req.method, route, status: String(c.res.status) });
      latency.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
    },
  };
}
