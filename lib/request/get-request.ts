import type { ExecutionContext } from '@nestjs/common';
import { at } from './property.js';

/**
 * The object that carries the token for any kind of context: the HTTP request (Express or
 * Fastify), the request in a GraphQL context (for a subscription over `graphql-ws`, the
 * connection's context, which the Apollo driver puts there), the socket of a WebSocket message,
 * or the context of an RPC message (`NatsContext`, `RmqContext`). GraphQL is read by position, so
 * `@nestjs/graphql` is never imported.
 */
export function getRequest(context: ExecutionContext): unknown {
  switch (context.getType<string>()) {
    case 'graphql': {
      const graphqlContext = context.getArgByIndex<unknown>(2);
      return at(graphqlContext, 'req') ?? at(graphqlContext, 'request') ?? graphqlContext;
    }
    case 'ws':
      return context.switchToWs().getClient<unknown>();
    case 'rpc':
      return context.switchToRpc().getContext<unknown>();
    default:
      // What switchToHttp().getRequest() returns, without the three closures it makes each time.
      return context.getArgByIndex<unknown>(0);
  }
}

/** The Node response whose final status the audit row records, when the context has one. */
export function getRawResponse(context: ExecutionContext): RawResponse | undefined {
  return rawResponseOf(context.getType<string>() === 'http' ? context.getArgByIndex<unknown>(1) : at(getRequest(context), 'res'));
}

/** The Node response under an Express or Fastify response (Express hands it to a request as `request.res`). */
export function rawResponseOf(response: unknown): RawResponse | undefined {
  if (!response || typeof response !== 'object') return undefined;
  // Read by name rather than with `at()`: this runs on every guarded request.
  const raw = (response as { raw?: unknown }).raw ?? response;
  if (!raw || typeof raw !== 'object') return undefined;
  const { on, statusCode } = raw as Partial<RawResponse>;
  return typeof on === 'function' && typeof statusCode === 'number' ? (raw as RawResponse) : undefined;
}

/** The part of Node's `ServerResponse` the audit log needs. */
export interface RawResponse {
  statusCode: number;
  on(event: 'close', listener: () => void): unknown;
}
