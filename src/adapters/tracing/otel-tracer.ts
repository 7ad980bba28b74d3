import { hostname } from 'node:os';
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span as OtelSpan,
  type Tracer as OtelApiTracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { noSpan, type IncomingRequest, type RequestTracer, type ServerSpan, type Span, type SpanAttributes, type StepSpan } from '../../core/ports/tracer.js';
import { ReservoirSampler } from './reservoir-sampler.js';

/** The request id rides in the OpenTelemetry context, so every span started under a request gets it. */
const REQUEST_ID = createContextKey('manuel.request_id');
export const REQUEST_ID_ATTRIBUTE = 'manuel.request_id';

const requestIdOnEverySpan: SpanProcessor = {
  onStart(span, parent) {
    const id = parent.getValue(REQUEST_ID);
    if (typeof id === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, id);
  },
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

export interface OtelTracingOptions {
  serviceName?: string;
  version?: string;
  /** OTLP/HTTP base URL (`http://collector:4318`, `/v1/traces` is added) or the full traces URL; '' = spans are not exported. */
  endpoint?: string;
  /** Instead of OTLP: spans go to this exporter, one by one (tests). */
  exporter?: SpanExporter;
  /** How long an export (and the flush at shutdown) may take. */
  exportTimeoutMs?: number;
  /**
   * Traces started here: the first of each second, then this fraction of the rest (X-Ray's default
   * rule is 0.05; TracingSampleRate). Default 1: every trace. A caller's sampled flag decides for its own.
   */
  sampleRate?: number;
}

/** `http://host:4318` -> `http://host:4318/v1/traces`; a URL already naming the traces path is kept. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

function fail(span: OtelSpan, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

let contextManagerRegistered = false;

/** Whether the active span belongs to a trace the sampler left out (no active span: a new trace, sampled on its own). */
function unsampled(): boolean {
  const active = trace.getActiveSpan();
  return active !== undefined && !active.isRecording();
}

/**
 * The Tracer port on the OpenTelemetry SDK: AsyncLocalStorage carries the active span across awaits,
 * a batch processor exports over OTLP/HTTP (JSON), W3C Trace Context is read from and written to HTTP
 * headers. A collector that is down or slow costs requests nothing: batches are dropped after the timeout.
 */
export class OtelTracer implements RequestTracer {
  private readonly provider: NodeTracerProvider;
  private readonly tracer: OtelApiTracer;
  private readonly propagator = new W3CTraceContextPropagator();
  readonly exporting: boolean;

  constructor(opts: OtelTracingOptions = {}) {
    const timeout = opts.exportTimeoutMs ?? 5000;
    const exporter = opts.exporter ?? (opts.endpoint ? new OTLPTraceExporter({ url: tracesUrl(opts.endpoint), timeoutMillis: timeout }) : null);
    const processors: SpanProcessor[] = [requestIdOnEverySpan];
    if (opts.exporter) processors.push(new SimpleSpanProcessor(opts.exporter));
    else if (exporter) processors.push(new BatchSpanProcessor(exporter, { exportTimeoutMillis: timeout }));
    this.exporting = exporter !== null;
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: opts.serviceName ?? 'manuel',
        [ATTR_SERVICE_VERSION]: opts.version ?? '0.0.0',
        'service.instance.id': `${hostname()}:${process.pid}`,
      }),
      spanProcessors: processors,
      sampler: new ParentBasedSampler({ root: new ReservoirSampler(opts.sampleRate ?? 1) }),
    });
    // The context manager is global to the process (one per process, whatever the number of apps in it).
    // The propagator is not registered: this class reads and writes traceparent itself.
    if (!contextManagerRegistered) {
      this.provider.register({ propagator: null });
      contextManagerRegistered = true;
    }
    this.tracer = this.provider.getTracer('manuel', opts.version);
  }

  span<T>(name: string, attributes: SpanAttributes | undefined, fn: (span: Span) => Promise<T>): Promise<T> {
    // Inside a trace that is not sampled, a child would not be recorded either: skip making it.
    if (unsampled()) return fn(noSpan);
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await fn(span);
      } catch (e) {
        fail(span, e);
        throw e;
      } finally {
        span.end();
      }
    });
  }

  step(name: string, attributes?: SpanAttributes): StepSpan {
    if (unsampled()) return noSpan;
    const span = this.tracer.startSpan(name, { attributes });
    return {
      end(more) {
        if (more) span.setAttributes(more);
        span.end();
      },
    };
  }

  request<T>(incoming: IncomingRequest, fn: (span: ServerSpan) => Promise<T>): Promise<T> {
    const carrier = { traceparent: incoming.traceparent, tracestate: incoming.tracestate };
    // A malformed traceparent is ignored by the propagator: the request starts a trace of its own.
    const parent = this.propagator.extract(ROOT_CONTEXT.setValue(REQUEST_ID, incoming.requestId), carrier, defaultTextMapGetter);
    const span = this.tracer.startSpan(
      incoming.method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: incoming.method, [ATTR_URL_PATH]: incoming.path } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    const out: Record<string, string> = {};
    this.propagator.inject(active, out, defaultTextMapSetter);
    const server: ServerSpan = {
      traceId: span.spanContext().traceId,
      traceparent: out.traceparent!,
      finish(route, status, error) {
        span.updateName(`${incoming.method} ${route}`);
        span.setAttributes({ [ATTR_HTTP_ROUTE]: route, [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
        // Server spans fail on 5xx only: a 4xx is the client's mistake, handled as designed.
        if (status >= 500) {
          if (error !== undefined) span.recordException(error instanceof Error ? error : String(error));
          span.setAttribute(ATTR_ERROR_TYPE, String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      },
    };
    return context.with(active, async () => {
      try {
        return await fn(server);
      } catch (e) {
        fail(span, e);
        throw e;
      } finally {
        span.end();
      }
    });
  }

  /** trace_id and span_id of the active span, for log lines; undefined outside any span. */
  logFields(ctx: Context = context.active()): { trace_id: string; span_id: string } | undefined {
    const span = trace.getSpan(ctx);
    if (!span) return undefined;
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  }

  /** Exports what is queued now (bounded by the export timeout). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Exports what is still queued (bounded by the export timeout) and stops. Idempotent. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
