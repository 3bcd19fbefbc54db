import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with traffic: `forward` passes it through; `refuse` resets every connection,
 * as a database server that has stopped does; `blackhole` accepts connections and never answers,
 * as a cut network does; `stall` keeps the open connections open but carries nothing either way
 * (and answers no new one), as a network that goes silent under a connection does, until
 * `forward` delivers what was held back.
 */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole' | 'stall';

/**
 * A TCP proxy between an application and a real database server, so that a suite can take the
 * database away from its application (and give it back) without touching the server that the
 * other suites share.
 */
export class TcpProxy {
  private mode: ProxyMode = 'forward';
  private readonly sockets = new Set<Socket>();
  /** Each forwarded client connection and its upstream connection. */
  private readonly links = new Map<Socket, Socket>();
  /** Client connections accepted during a stall, which no upstream connection serves. */
  private readonly unanswered = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The same database URL, through this proxy. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /**
   * Switches mode. `stall` holds the open connections, and `forward` after `stall` lets them carry
   * on; any other change drops every open connection at once.
   */
  setMode(mode: ProxyMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (mode === 'stall' && previous === 'forward') {
      for (const [client, upstream] of this.links) {
        client.unpipe(upstream).pause();
        upstream.unpipe(client).pause();
      }
      return;
    }
    if (mode === 'forward' && previous === 'stall') {
      // Connections made during the stall never reached the server: their clients connect again.
      for (const socket of this.unanswered) socket.resetAndDestroy();
      this.unanswered.clear();
      for (const [client, upstream] of this.links) {
        client.pipe(upstream);
        upstream.pipe(client);
      }
      return;
    }
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.links.clear();
    this.unanswered.clear();
  }

  async close(): Promise<void> {
    this.setMode('refuse');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    if (this.mode === 'stall') this.unanswered.add(client);
    if (this.mode === 'blackhole' || this.mode === 'stall') return;
    const upstream = this.track(connect(this.target.port, this.target.host));
    upstream.on('error', () => undefined);
    this.links.set(client, upstream);
    client.on('close', () => {
      this.links.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}

/** Host and port of a database URL. */
export function serverOf(databaseUrl: string): { host: string; port: number } {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: Number(url.port) };
}
