import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { XRayTracer } from '../../src/adapters/aws/xray-tracer.js';
import { OtelTracer } from '../../src/adapters/tracing/otel-tracer.js';
import { noTracer } from '../../src/core/ports/tracer.js';
import { tracerContract } from './tracer.contract.js';

tracerContract('noTracer (tracing off)', () => noTracer);
tracerContract('OtelTracer (in-memory exporter)', () => new OtelTracer({ exporter: new InMemorySpanExporter() }));

// Off Lambda Powertools switches X-Ray off and XRayTracer runs functions directly; the contract with
// tracing really on (simulated Lambda, segments read from a UDP daemon) is in src/adapters/aws/xray-tracer.test.ts.
tracerContract('XRayTracer (off Lambda: Powertools tracing disabled)', () => new XRayTracer());
