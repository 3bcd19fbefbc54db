import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { at } from './property.js';
import { headersOf, upgradeRequestOf } from './request-metadata.js';

/** The options that say where a request carries its token. */
export type TokenLocation = Pick<ResolvedKeysmithOptions, 'header' | 'allowQueryParam' | 'queryParamName'>;

/**
 * The raw token of an HTTP request, a Socket.IO client, a GraphQL over WebSocket connection or a
 * NATS or RabbitMQ message, or `null`: the configured header (of the request, the handshake, the
 * upgrade request or the message), then a socket's handshake `auth.token`, then the connection
 * parameters of a GraphQL over WebSocket client (`token`, or the header's name), then the query
 * parameter when `allowQueryParam` is on. Shared by `KeysmithGuard`, the throttler guard's
 * tracker and the other transports, so all read the same token.
 */
export function extractToken(request: unknown, location: TokenLocation): string | null {
  const header = headersOf(request)[location.header];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (nonEmpty(fromHeader)) return fromHeader;
  const fromAuth = at(request, 'handshake', 'auth', 'token');
  if (nonEmpty(fromAuth)) return fromAuth;
  const params = at(request, 'connectionParams');
  const fromParams = at(params, 'token') ?? at(params, location.header);
  if (nonEmpty(fromParams)) return fromParams;
  if (location.allowQueryParam) {
    const fromQuery = at(queryOf(request), location.queryParamName);
    if (nonEmpty(fromQuery)) return fromQuery;
  }
  return null;
}

/** The parsed query of an HTTP request or of a handshake; a GraphQL over WebSocket upgrade has only its URL. */
function queryOf(request: unknown): unknown {
  const query = at(request, 'query') ?? at(request, 'handshake', 'query');
  if (query) return query;
  const url = at(upgradeRequestOf(request), 'url');
  if (typeof url !== 'string' || !URL.canParse(url, 'http://localhost')) return undefined;
  return Object.fromEntries(new URL(url, 'http://localhost').searchParams);
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
