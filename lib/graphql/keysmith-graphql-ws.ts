import type { Context, ServerOptions } from 'graphql-ws';
import type { Refusal } from '../auth/refusal.js';
import { attachToken } from '../auth/transport-authentication.js';
import { TokenConnections, type TrackedConnection } from '../connections/token-connections.js';
import { at, callMethod } from '../request/property.js';
import type { TokenService } from '../tokens/token.service.js';

/**
 * The `graphql-ws` options `GraphQLModule` takes as `subscriptions: { 'graphql-ws': ... }`, as
 * `@nestjs/graphql` types them: those of your own are given to `keysmithGraphqlWs` and run after
 * its own.
 */
export type KeysmithGraphqlWsOptions = Partial<
  Pick<ServerOptions, 'connectionInitWaitTimeout' | 'onConnect' | 'onDisconnect' | 'onClose' | 'onSubscribe' | 'onNext'>
> & { path?: string };

/** WebSocket close codes are 4000 + the HTTP status of the refusal: 4401, 4429, 4503. */
const CLOSE_CODE_BASE = 4_000;
/** The most bytes a WebSocket close frame carries as its reason. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The `graphql-ws` options for GraphQL subscriptions authenticated by an API token:
 *
 * ```ts
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   inject: [TokenService],
 *   useFactory: (tokens: TokenService) => ({ subscriptions: { 'graphql-ws': keysmithGraphqlWs(tokens) } }),
 * })
 * ```
 *
 * - `onConnect` takes the token from the connection parameters (`token`, or the header's name) or
 *   from the upgrade request's header, and authenticates it as `KeysmithGuard` does (audit rows
 *   included). A connection without a valid token is closed with code 4000 + status (4401, 4429,
 *   4503) and the configured message as its reason.
 * - The token and its user are kept on the connection's context, where `@KeysmithToken()`,
 *   `@KeysmithUser()` and `KeysmithGuard` (with its `@KeysmithScopes()`) find them in a
 *   subscription resolver.
 * - Before each event is sent, the token is checked again (from the verification cache when it
 *   is there), and the connection is closed with 4401 once the token no longer authenticates; a
 *   change of the token closes it at once (with `redis`, on every instance).
 */
export function keysmithGraphqlWs(tokens: TokenService, options: KeysmithGraphqlWsOptions = {}): KeysmithGraphqlWsOptions {
  let connections: TokenConnections | undefined;
  // Looked up on first use: the GraphQL options may be built before the keysmith module is complete.
  const connectionsOf = () => (connections ??= TokenConnections.of(tokens));
  const tracked = new WeakMap<Context, { rawToken: string; connection: TrackedConnection }>();

  return {
    ...options,
    onConnect: async (ctx) => {
      const { authentication } = connectionsOf();
      const rawToken = authentication.extractToken(ctx);
      const { token, user, refusal } = await authentication.authenticate(ctx, rawToken);
      if (refusal) {
        close(ctx, refusal);
        return false;
      }
      attachToken(ctx, token, user);
      const connection = connectionsOf().track(token.id, { rawToken: rawToken!, request: ctx, close: (closing) => close(ctx, closing) });
      tracked.set(ctx, { rawToken: rawToken!, connection });
      return options.onConnect?.(ctx);
    },
    onNext: async (ctx, id, payload, args, result) => {
      const state = tracked.get(ctx);
      const refusal = state && (await connectionsOf().authentication.recheck(state.rawToken, ctx));
      // Closed before the event is sent: a closing socket sends nothing more.
      if (refusal) state.connection.refuse(refusal);
      return options.onNext?.(ctx, id, payload, args, result);
    },
    onClose: async (ctx, code, reason) => {
      tracked.get(ctx)?.connection.forget();
      tracked.delete(ctx);
      await options.onClose?.(ctx, code, reason);
    },
  };
}

/** Closes the connection's WebSocket with 4000 + the refusal's status and its message. */
function close(ctx: Context, { status, message }: Refusal): void {
  // `graphql-ws/use/ws` (the server `@nestjs/graphql` starts) keeps the socket in `extra`.
  callMethod(at(ctx.extra, 'socket'), 'close', CLOSE_CODE_BASE + status, closeReason(message));
}

function closeReason(message: string): string {
  let reason = message;
  while (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) reason = reason.slice(0, -1);
  return reason;
}
