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
 * Reads an Express or Fastify request (or a WebSocket handshake). The query string is cut from
 * the path because it may carry the token.
 */
export function requestMetadata(request: any): RequestMetadata {
  if (!request || typeof request !== 'object') return NO_REQUEST;
  const url: unknown = request.originalUrl ?? request.url ?? request.handshake?.url;
  const userAgent = headersOf(request)['user-agent'];
  return {
    path: typeof url === 'string' ? url.split('?', 1)[0].slice(0, MAX_PATH_LENGTH) : null,
    method: typeof request.method === 'string' ? request.method : null,
    ipAddress: clientIp(request),
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}

/** Request headers of an HTTP request or of a WebSocket handshake. */
export function headersOf(request: any): Record<string, string | string[] | undefined> {
  return request?.headers ?? request?.handshake?.headers ?? {};
}

/**
 * `request.ip` applies the application's own proxy trust: with Express's `trust proxy` or
 * Fastify's `trustProxy` it is the client from `X-Forwarded-For`, otherwise the socket address.
 * Reading `X-Forwarded-For` here directly would let any client choose the logged address.
 */
export function clientIp(request: any): string | null {
  const ip: unknown = request?.ip ?? request?.socket?.remoteAddress ?? request?.handshake?.address;
  return typeof ip === 'string' && ip.length > 0 ? ip.slice(0, MAX_IP_ADDRESS_LENGTH) : null;
}
