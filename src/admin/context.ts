/**
 * @module admin/context
 * What the admin routes and pages are given: the store, the services, the live feed, metrics and
 * the gateway's public interface. Built once by admin/server.
 */
import type { Metrics } from '../audit/metrics.js';
import type { AuditStore } from '../audit/store.js';
import type { Auth } from './auth.js';
import type { LiveFeed } from './live.js';
import type { AdminGateway, PolicyService } from './policy-service.js';
import type { ReviewService } from './review-service.js';

export interface AdminContext {
  readonly gateway: AdminGateway;
  readonly store: AuditStore;
  readonly policy: PolicyService;
  readonly review: ReviewService;
  readonly metrics: Metrics;
  readonly live: LiveFeed;
  readonly auth: Auth;
  /** Serve /metrics without the token (for scrapers), per `admin.metricsPublic`. */
  readonly metricsPublic: boolean;
  readonly now: () => number;
}
