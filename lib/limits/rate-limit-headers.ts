import type { RateLimitWindow } from './token-rate-limiter.js';

interface HeaderTarget {
  setHeader(name: string, value: string): unknown;
}

/**
 * Puts a window's figures on an HTTP response, with the IETF httpapi draft's names:
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds until the window ends), and
 * `Retry-After` (the same seconds) on a refusal. Node's response under Express or Fastify keeps
 * them for whatever is sent, the error of a refusal included.
 */
export function setRateLimitHeaders(response: unknown, window: RateLimitWindow, refused: boolean): void {
  const target = nodeResponseOf(response);
  if (!target) return;
  target.setHeader('RateLimit-Limit', String(window.limit));
  target.setHeader('RateLimit-Remaining', String(window.remaining));
  target.setHeader('RateLimit-Reset', String(window.resetSeconds));
  if (refused) target.setHeader('Retry-After', String(window.resetSeconds));
}

function nodeResponseOf(response: unknown): HeaderTarget | null {
  if (!response || typeof response !== 'object') return null;
  const raw = (response as { raw?: unknown }).raw ?? response;
  return typeof (raw as Partial<HeaderTarget>).setHeader === 'function' ? (raw as HeaderTarget) : null;
}
