/** Attribute values of a span; undefined ones are left out. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** The span a traced function runs in. */
export interface Span {
  setAttributes(attributes: SpanAttributes): void;
}

/** A span ended by hand, for a synchronous step inside a longer function (it has no children). */
export interface StepSpan {
  end(attributes?: SpanAttributes): void;
}

/**
 * Spans around units of work (retrieval legs, ingestion steps, storage and model calls). A span
 * started inside another one's function is its child; one whose function throws is marked failed
 * and the error goes on unchanged. The core sees only this; OpenTelemetry stays in adapters/tracing.
 */
export interface Tracer {
  span<T>(name: string, attributes: SpanAttributes | undefined, fn: (span: Span) => Promise<T>): Promise<T>;
  step(name: string, attributes?: SpanAttributes): StepSpan;
}

export const noSpan: Span & StepSpan = { setAttributes() {}, end() {} };

/** Tracing off: the function is called directly, nothing is recorded. */
export const noTracer: Tracer = {
  span: (_name, _attributes, fn) => fn(noSpan),
  step: () => noSpan,
};

/** What the HTTP edge knows of a request before handling it. */
export interface IncomingRequest {
  method: string;
  path: string;
  requestId: string;
  /** W3C Trace Context headers of the caller, honoured as the parent when well-formed. */
  traceparent?: string;
  tracestate?: string;
}

/** The root span of one request. */
export interface ServerSpan {
  readonly traceId: string;
  /** W3C `traceparent` naming this span, for the response header. */
  readonly traceparent: string;
  /** Once handled: the route template (`/api/manuals/:id`), the status, and the error if one was thrown. */
  finish(route: string, status: number, error?: unknown): void;
}

/**
 * The tracer of the HTTP edge: `request` runs the whole request inside a server span, so every span
 * the core starts while handling it is a descendant and carries the request id.
 */
export interface RequestTracer extends Tracer {
  request<T>(incoming: IncomingRequest, fn: (span: ServerSpan) => Promise<T>): Promise<T>;
}
