import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The api-server's Prometheus metrics. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'verb' | 'resource' | 'code' | 'transport'>;
  private readonly latency: Histogram<'verb' | 'resource' | 'transport'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kjobs_apiserver_' });
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'API requests by verb, resource, code and transport', labelNames: ['verb', 'resource', 'code', 'transport'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds', help: 'API request latency', labelNames: ['verb', 'resource', 'transport'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One HTTP request; `verb` is its Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection). */
  observeHttp(verb: string, resource: string, code: number, ms: number): void {
    this.requests.inc({ verb, resource, code: String(code), transport: 'http' });
    this.latency.observe({ verb, resource, transport: 'http' }, ms / 1000);
  }

  /** One NATS API request; `verb` as observeHttp's (the NATS protocol's own verbs mapped first). */
  observeNats(verb: string, resource: string, code: number, ms: number): void {
    this.requests.inc({ verb, resource, code: String(code), transport: 'nats' });
    this.latency.observe({ verb, resource, transport: 'nats' }, ms / 1000);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
