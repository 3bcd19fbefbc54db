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
  const http = httpRequestOf(request);
  if (http) return metadataOf(http.originalUrl ?? http.url, http.method, http.headers['user-agent'], clientIp(http));
  const upgrade = upgradeRequestOf(request);
  const url = at(upgrade, 'originalUrl') ?? at(upgrade, 'url') ?? at(upgrade, 'handshake', 'url') ?? messagePatternOf(request);
  return metadataOf(url, at(upgrade, 'method'), headersOf(request)['user-agent'], clientIp(request));
}

function metadataOf(url: unknown, method: unknown, userAgent: unknown, ipAddress: string | null): RequestMetadata {
  return {
    path: typeof url === 'string' ? url.split('?', 1)[0].slice(0, MAX_PATH_LENGTH) : null,
    method: typeof method === 'string' ? method : null,
    ipAddress,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}

/** The fields of an Express or Fastify request (or of a Node `IncomingMessage`) the package reads. */
interface HttpRequest {
  method: string;
  headers: Headers;
  originalUrl?: unknown;
  url?: unknown;
  ip?: unknown;
  socket?: { remoteAddress?: unknown } | null;
}

/**
 * The request as an HTTP request, when it is one: every guarded HTTP request goes this way, and
 * reading its fields by name lets V8 keep one inline cache per field, where `at()`'s lookups by a
 * variable key cost several times more on a busy route.
 */
function httpRequestOf(request: unknown): HttpRequest | null {
  if (!request || typeof request !== 'object') return null;
  const { method, headers } = request as Partial<HttpRequest>;
  return typeof method === 'string' && typeof headers === 'object' && headers !== null ? (request as HttpRequest) : null;
}

/** Headers of an HTTP request, a Socket.IO handshake, a GraphQL over WebSocket upgrade, or a NATS or RabbitMQ message. */
export function headersOf(request: unknown): Headers {
  const http = httpRequestOf(request);
  if (http) return http.headers;
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
  const http = httpRequestOf(request);
  const ip = http
    ? (http.ip ?? http.socket?.remoteAddress)
    : (at(request, 'ip') ??
      at(request, 'socket', 'remoteAddress') ??
      at(request, 'handshake', 'address') ??
      at(request, 'extra', 'request', 'socket', 'remoteAddress'));
  return typeof ip === 'string' && ip.length > 0 ? ip.slice(0, MAX_IP_ADDRESS_LENGTH) : null;
}
