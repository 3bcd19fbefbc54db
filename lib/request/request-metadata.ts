import { messageHeadersOf, messagePatternOf, type Headers } from './message-headers.js';
import { at } from './property.js';

/** What an audit row records about the request. */
export interface RequestMetadata {
  path: string | null;
  method: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

const MAX_PATH_LENGTH = 1024;
const MAX_USER_AGENT_LENGTH = 512;
/** The `ip_address` column; with a trusted proxy the value comes from a header the client writes. */
const MAX_IP_ADDRESS_LENGTH = 45;

export const NO_REQUEST: RequestMetadata = { path: null, method: null, ipAddress: null, userAgent: null };

/**
 * Reads an Express or Fastify request, a Socket.IO handshake, the upgrade request of a GraphQL
 * over WebSocket connection, or a microservice message (whose path is its subject or pattern).
 * The query string is cut from the path because it may carry the token.
 */
export function requestMetadata(request: unknown): RequestMetadata {
  if (!request || typeof request !== 'object') return NO_REQUEST;
  const http = upgradeRequestOf(request);
  const url = at(http, 'originalUrl') ?? at(http, 'url') ?? at(http, 'handshake', 'url') ?? messagePatternOf(request);
  const method = at(http, 'method');
  const userAgent = headersOf(request)['user-agent'];
  return {
    path: typeof url === 'string' ? url.split('?', 1)[0].slice(0, MAX_PATH_LENGTH) : null,
    method: typeof method === 'string' ? method : null,
    ipAddress: clientIp(request),
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}

/** Headers of an HTTP request, a Socket.IO handshake, a GraphQL over WebSocket upgrade, or a NATS or RabbitMQ message. */
export function headersOf(request: unknown): Headers {
  const headers = at(request, 'headers') ?? at(request, 'handshake', 'headers') ?? at(request, 'extra', 'request', 'headers');
  return (headers as Headers | undefined) ?? messageHeadersOf(request) ?? {};
}

/**
 * The HTTP request behind a GraphQL over WebSocket context (`graphql-ws` keeps the upgrade
 * request in `extra.request`); any other request as it is.
 */
export function upgradeRequestOf(request: unknown): unknown {
  return at(request, 'extra', 'request') ?? request;
}

/**
 * `request.ip` applies the application's own proxy trust: with Express's `trust proxy` or
 * Fastify's `trustProxy` it is the client from `X-Forwarded-For`, otherwise the socket address.
 * Reading `X-Forwarded-For` here directly would let any client choose the logged address.
 */
export function clientIp(request: unknown): string | null {
  const ip =
    at(request, 'ip') ??
    at(request, 'socket', 'remoteAddress') ??
    at(request, 'handshake', 'address') ??
    at(request, 'extra', 'request', 'socket', 'remoteAddress');
  return typeof ip === 'string' && ip.length > 0 ? ip.slice(0, MAX_IP_ADDRESS_LENGTH) : null;
}
