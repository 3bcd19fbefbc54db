import type { Authentication } from './authentication.js';

const handedOver = new WeakMap<object, { rawToken: string; authentication: Authentication }>();

/**
 * Passes a request's authentication from `KeysmithThrottlerGuard`, which verifies a token not
 * proven yet to know whom to count it against, to `KeysmithGuard`, so that one request costs one
 * verification and one failed attempt at most. What goes into the verification cache needs no
 * hand-over: the guard finds it there.
 */
export function handOver(request: unknown, rawToken: string, authentication: Authentication): void {
  if (request !== null && typeof request === 'object') handedOver.set(request, { rawToken, authentication });
}

/** The authentication handed over for this request and raw token, taken once (a socket's next message is verified afresh). */
export function takeOver(request: unknown, rawToken: string): Authentication | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const handed = handedOver.get(request);
  if (!handed) return undefined;
  handedOver.delete(request);
  return handed.rawToken === rawToken ? handed.authentication : undefined;
}
