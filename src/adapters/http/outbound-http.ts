import http from 'node:http';
import https from 'node:https';
import { Agent } from 'undici';
import type { Parameters } from '../../config/parameters.js';

type PoolParameters = Pick<Parameters, 'MaxConnections' | 'MaxIdleConnections' | 'ConnectionTimeout' | 'ReadTimeout'>;

/** Outbound HTTP of one process: what the model adapters fetch with, and the agents of URL import. */
export interface OutboundHttp {
  fetch: typeof fetch;
  /** Keep-alive agents for URL import (node:http, whose per-request lookup pins the checked address). */
  agents: { http: http.Agent; https: https.Agent };
  close(): Promise<void>;
}

/**
 * EnablePerformanceOptimization: one undici Agent for every fetch to the model endpoints, at most
 * MaxConnections sockets per origin kept alive between requests (MaxIdleConnections 0 turns keep-alive
 * off), ConnectionTimeout to connect and ReadTimeout for headers and between body chunks. Node's own
 * fetch takes the Agent as `dispatcher`; undici only supplies the Agent.
 */
export function createOutboundHttp(p: PoolParameters): OutboundHttp {
  const keepAlive = p.MaxIdleConnections > 0;
  const dispatcher = new Agent({
    connections: p.MaxConnections,
    pipelining: keepAlive ? 1 : 0,
    connect: { timeout: p.ConnectionTimeout },
    headersTimeout: p.ReadTimeout,
    bodyTimeout: p.ReadTimeout,
  });
  const pooled = ((input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, dispatcher } as RequestInit)) as typeof fetch;
  const agentOptions = { keepAlive, maxSockets: p.MaxConnections, maxFreeSockets: Math.max(1, p.MaxIdleConnections), timeout: p.ReadTimeout };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return {
    fetch: pooled,
    agents,
    close: async () => {
      agents.http.destroy();
      agents.https.destroy();
      await dispatcher.close();
    },
  };
}
