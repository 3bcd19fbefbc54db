import type { ExecutionContext } from '@nestjs/common';

/**
 * The object that carries the token for any kind of context: the HTTP request (Express or
 * Fastify), the request in a GraphQL context, the socket of a WebSocket message, or the context
 * of an RPC message. GraphQL is read by position, so `@nestjs/graphql` is never imported.
 */
export function getRequest(context: ExecutionContext): any {
  switch (context.getType<string>()) {
    case 'graphql': {
      const graphqlContext = context.getArgByIndex(2);
      return graphqlContext?.req ?? graphqlContext?.request ?? graphqlContext;
    }
    case 'ws':
      return context.switchToWs().getClient();
    case 'rpc':
      return context.switchToRpc().getContext();
    default:
      // What switchToHttp().getRequest() returns, without the three closures it makes each time.
      return context.getArgByIndex(0);
  }
}

/** The Node response whose final status the audit row records, when the context has one. */
export function getRawResponse(context: ExecutionContext): RawResponse | undefined {
  const response = context.getType<string>() === 'http' ? context.getArgByIndex(1) : getRequest(context)?.res;
  const raw = response?.raw ?? response;
  return typeof raw?.on === 'function' && typeof raw?.statusCode === 'number' ? raw : undefined;
}

/** The part of Node's `ServerResponse` the audit log needs. */
export interface RawResponse {
  statusCode: number;
  on(event: 'close', listener: () => void): unknown;
}
