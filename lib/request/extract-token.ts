import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { headersOf } from './request-metadata.js';

/** The options that say where a request carries its token. */
export type TokenLocation = Pick<ResolvedKeysmithOptions, 'header' | 'allowQueryParam' | 'queryParamName'>;

/**
 * The raw token of an HTTP request or of a Socket.IO client, or `null`: the configured header
 * (for a socket, a header of its handshake), then a socket's handshake `auth.token`, then the
 * query parameter when `allowQueryParam` is on. Shared by `KeysmithGuard` and the throttler
 * guard's tracker, so both read the same token.
 */
export function extractToken(request: any, location: TokenLocation): string | null {
  const header = headersOf(request)[location.header];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (nonEmpty(fromHeader)) return fromHeader;
  const fromAuth: unknown = request?.handshake?.auth?.token;
  if (nonEmpty(fromAuth)) return fromAuth;
  if (location.allowQueryParam) {
    const fromQuery: unknown = (request?.query ?? request?.handshake?.query)?.[location.queryParamName];
    if (nonEmpty(fromQuery)) return fromQuery;
  }
  return null;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
