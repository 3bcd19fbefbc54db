import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Refusal } from '../auth/refusal.js';
import { attachToken } from '../auth/transport-authentication.js';
import { TokenConnections } from '../connections/token-connections.js';

/** What a Socket.IO client gets when its handshake is refused (`connect_error`'s `data`) or when it is disconnected (`exception`). */
export interface KeysmithSocketRefusal {
  status: 'error';
  /** The HTTP status the same refusal has over HTTP: 401, 429 or 503. */
  statusCode: number;
  /** The same message as over HTTP (`errorMessages`). */
  message: string;
}

/** The part of a Socket.IO socket the adapter uses. */
interface HandshakeSocket {
  emit(event: string, data: unknown): unknown;
  disconnect(close: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

type Next = (error?: Error) => void;

/** The part of a Socket.IO server or namespace the adapter uses. */
interface SocketNamespace {
  use(middleware: (socket: HandshakeSocket, next: Next) => void): unknown;
}

/**
 * `@nestjs/platform-socket.io`'s `IoAdapter` that authenticates the token of each handshake
 * (its header, `auth.token`, or with `allowQueryParam` its query) before the client connects to
 * any gateway: a token that does not authenticate is refused with `connect_error`, whose `data` is
 * `{ status: 'error', statusCode, message }` with the guard's status and message, and audited as
 * over HTTP. A handshake without a token connects; the gateways' `KeysmithGuard` still decides
 * each message. With `disconnectOnRevoke`, a client is disconnected (after an `exception` event
 * with the same fields) once its token stops authenticating. Register it as any adapter:
 * `app.useWebSocketAdapter(new KeysmithIoAdapter(app))`; extend it as you would extend `IoAdapter`.
 */
export class KeysmithIoAdapter extends IoAdapter {
  private readonly namespaces = new WeakSet<object>();
  private connections?: TokenConnections;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override bindClientConnect(server: SocketNamespace, callback: (...args: unknown[]) => unknown): void {
    // Gateways of one namespace share it: its handshakes are checked once.
    if (!this.namespaces.has(server)) {
      this.namespaces.add(server);
      server.use((socket, next) => {
        this.admit(socket).then(next, next);
      });
    }
    super.bindClientConnect(server, callback);
  }

  /** Resolves nothing for a handshake let in, or the error that refuses it. */
  private async admit(socket: HandshakeSocket): Promise<Error | undefined> {
    const connections = (this.connections ??= this.app.get(TokenConnections));
    const { authentication } = connections;
    const rawToken = authentication.extractToken(socket);
    if (rawToken === null) return undefined;
    const { token, user, refusal } = await authentication.authenticate(socket, rawToken);
    if (refusal) return Object.assign(new Error(refusal.message), { data: socketRefusal(refusal) });
    attachToken(socket, token, user);
    if (connections.options.disconnectOnRevoke) {
      const tracked = connections.track(token.id, {
        rawToken,
        request: socket,
        close: (closing) => {
          socket.emit('exception', socketRefusal(closing));
          socket.disconnect(true);
        },
      });
      socket.once('disconnect', () => tracked.forget());
    }
    return undefined;
  }
}

function socketRefusal({ status, message }: Refusal): KeysmithSocketRefusal {
  return { status: 'error', statusCode: status, message };
}
