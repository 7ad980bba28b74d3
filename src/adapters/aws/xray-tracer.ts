import { randomBytes } from 'node:crypto';
import { Tracer as PowertoolsTracer } from '@aws-lambda-powertools/tracer';
import type { IncomingRequest, RequestTracer, ServerSpan, Span, SpanAttributes, StepSpan } from '../../core/ports/tracer.js';

/** The X-Ray SDK's sub/segment, as far as this adapter uses it. */
interface XraySubsegment {
  id: string;
  name: string;
  addAnnotation(key: string, value: string | number | boolean): void;
  addMetadata(key: string, value: unknown, namespace?: string): void;
  addNewSubsegment(name: string): XraySubsegment;
  addError(error: Error | string, remote?: boolean): void;
  addErrorFlag(): void;
  addFaultFlag(): void;
  close(error?: Error | string | null): void;
  segment?: { trace_id?: string };
  trace_id?: string;
}

/** X-Ray names: at most 200 of letters, digits, space and `_ . : / % & # = + \ - @`. */
export function xrayName(name: string): string {
  return name.replace(/[^\p{L}\p{N} _.:/%&#=+\\\-@]/gu, '_').slice(0, 200) || 'span';
}

/** `1-5759e988-bd862e3fe1be46a994272793` -> `5759e988bd862e3fe1be46a994272793` (the W3C form). */
export function w3cTraceId(xrayTraceId: string | undefined): string | null {
  const m = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(xrayTraceId ?? '');
  return m ? m[1]! + m[2]! : null;
}

function setAttributes(sub: XraySubsegment, attributes: SpanAttributes | undefined): void {
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) sub.addMetadata(k, v, 'manuel');
}

const noSpan: Span & StepSpan = { setAttributes() {}, end() {} };

export interface XRayTracerOptions {
  serviceName?: string;
  /** A Powertools tracer built elsewhere (one per process); default: a new one. */
  tracer?: PowertoolsTracer;
}

/**
 * The Tracer port on X-Ray through Powertools' tracer (aws-xray-sdk-core). On Lambda with active
 * tracing, every span is a subsegment of the invocation's facade segment: the SDK's automatic mode
 * (cls-hooked) keeps the current one across awaits, so parallel spans are siblings and a span inside
 * another's function is its child; closed subsegments are streamed to the X-Ray daemon (UDP). Span
 * attributes go into the subsegment's metadata (namespace `manuel`); the request id and route are
 * annotations (indexed, searchable). Off Lambda, or with POWERTOOLS_TRACE_ENABLED=false, Powertools
 * switches itself off and every call just runs the function.
 * The W3C `traceparent` of a caller is not used: on Lambda the trace comes from API Gateway's X-Ray header.
 */
export class XRayTracer implements RequestTracer {
  readonly powertools: PowertoolsTracer;

  constructor(opts: XRayTracerOptions = {}) {
    // captureHTTPsRequests off: AWS SDK clients are traced through captureClient(), not twice as raw HTTP.
    this.powertools = opts.tracer ?? new PowertoolsTracer({ serviceName: opts.serviceName ?? 'manuel', captureHTTPsRequests: false });
  }

  get enabled(): boolean {
    return this.powertools.isTracingEnabled();
  }

  /** An AWS SDK v3 client whose every call is a subsegment (a no-op when tracing is off). */
  captureClient<T>(client: T): T {
    return this.enabled ? this.powertools.captureAWSv3Client(client) : client;
  }

  private current(): XraySubsegment | undefined {
    if (!this.enabled) return undefined;
    return this.powertools.provider.getSegment() as unknown as XraySubsegment | undefined;
  }

  span<T>(name: string, attributes: SpanAttributes | undefined, fn: (span: Span) => Promise<T>): Promise<T> {
    if (!this.current()) return fn(noSpan);
    return this.powertools.provider.captureAsyncFunc(xrayName(name), async (raw) => {
      const sub = raw as unknown as XraySubsegment;
      setAttributes(sub, attributes);
      try {
        return await fn({ setAttributes: (a) => setAttributes(sub, a) });
      } catch (e) {
        sub.addError(e instanceof Error ? e : String(e));
        throw e;
      } finally {
        sub.close();
      }
    }) as Promise<T>;
  }

  step(name: string, attributes?: SpanAttributes): StepSpan {
    const parent = this.current();
    if (!parent) return noSpan;
    const sub = parent.addNewSubsegment(xrayName(name));
    setAttributes(sub, attributes);
    return {
      end(more) {
        setAttributes(sub, more);
        sub.close();
      },
    };
  }

  request<T>(incoming: IncomingRequest, fn: (span: ServerSpan) => Promise<T>): Promise<T> {
    const parent = this.current();
    if (!parent) {
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      return fn({ traceId, traceparent: `00-${traceId}-${spanId}-00`, finish() {} });
    }
    return this.span(`${incoming.method} ${incoming.path}`, undefined, async () => {
      const sub = this.powertools.provider.getSegment() as unknown as XraySubsegment;
      sub.addAnnotation('request_id', incoming.requestId);
      const traceId = w3cTraceId(sub.segment?.trace_id ?? sub.trace_id) ?? randomBytes(16).toString('hex');
      return fn({
        traceId,
        traceparent: `00-${traceId}-${sub.id}-01`,
        finish(route, status) {
          sub.name = xrayName(`${incoming.method} ${route}`);
          sub.addAnnotation('route', route);
          sub.addAnnotation('status', status);
          // X-Ray's flags: error for 4xx, fault for 5xx (the thrown error itself is added by span()).
          if (status >= 500) sub.addFaultFlag();
          else if (status >= 400) sub.addErrorFlag();
        },
      });
    });
  }
}
