import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { OtelTracer } from '../../src/adapters/tracing/otel-tracer.js';
import { noTracer } from '../../src/core/ports/tracer.js';
import { tracerContract } from './tracer.contract.js';

tracerContract('noTracer (tracing off)', () => noTracer);
tracerContract('OtelTracer (in-memory exporter)', () => new OtelTracer({ exporter: new InMemorySpanExporter() }));
