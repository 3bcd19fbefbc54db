import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { Refusal } from '../auth/refusal.js';
import { TokenAuthenticator } from '../auth/token-authenticator.js';
import { TransportAuthentication } from '../auth/transport-authentication.js';
import { CacheInvalidationService } from '../cache/cache-invalidation.service.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { TokenService } from '../tokens/token.service.js';

/** A long-lived connection that authenticated with a token: a socket, a GraphQL over WebSocket connection. */
export interface TokenConnection {
  /** The raw token it authenticated with, checked again whenever its token changes. */
  readonly rawToken: string;
  /** What its audit rows record (path, address, user agent). */
  readonly request: unknown;
  /** Ends the connection, telling the client why. */
  close(refusal: Refusal): void;
}

/** A kept connection: forget it when it closes; refuse it to audit and close it now. */
export interface TrackedConnection {
  forget(): void;
  refuse(refusal: Refusal): void;
}

const BY_TOKEN_SERVICE = new WeakMap<TokenService, TokenConnections>();

/**
 * The connections open on this instance, by token. When a token changes (rotated, revoked,
 * purged, or any state added later: the change is announced the same way), here or on another
 * instance through `redis`, each raw token of its connections is checked again, and the
 * connections whose token no longer authenticates are closed with the refusal a new request would
 * get, and audited as `auth_failed`. A raw token that still authenticates (a rotation with a grace
 * period, say) keeps its connections. When Redis answers again after an outage, during which
 * changes may have been missed, every connection is checked again.
 */
@Injectable()
export class TokenConnections implements OnApplicationShutdown {
  readonly authentication: TransportAuthentication;
  private readonly byToken = new Map<string, Set<TokenConnection>>();
  private readonly stopListening: () => void;
  private readonly stopListeningForMissed: () => void;
  /**
   * The checks of every connection after missed changes, one after another: a check asked for
   * while one runs comes after it, since changes may have been missed after that one checked a token.
   */
  private allRechecked: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(TokenService) tokens: TokenService,
    @Inject(TokenAuthenticator) authenticator: TokenAuthenticator,
    @Inject(AuditLogService) auditLog: AuditLogService,
    @Inject(KEYSMITH_OPTIONS) readonly options: ResolvedKeysmithOptions,
    @Inject(CacheInvalidationService) invalidation: CacheInvalidationService,
  ) {
    this.authentication = new TransportAuthentication(authenticator, auditLog, options);
    this.stopListening = invalidation.onTokenChanged((tokenId) => void this.recheck(tokenId));
    this.stopListeningForMissed = invalidation.onChangesMissed(() => this.recheckAll());
    BY_TOKEN_SERVICE.set(tokens, this);
  }

  /** The connections of the module whose `TokenService` this is (what `keysmithGraphqlWs(tokens)` is given). */
  static of(tokens: TokenService): TokenConnections {
    const connections = BY_TOKEN_SERVICE.get(tokens);
    if (!connections) throw new Error('Expected the TokenService of a started KeysmithModule.');
    return connections;
  }

  /** Keeps a connection of a token until it closes (`forget`), is refused (`refuse`) or its token stops authenticating. */
  track(tokenId: string, connection: TokenConnection): TrackedConnection {
    let connections = this.byToken.get(tokenId);
    if (!connections) this.byToken.set(tokenId, (connections = new Set()));
    connections.add(connection);
    return {
      forget: () => this.forget(tokenId, connection),
      refuse: (refusal) => this.refuse(tokenId, connection, refusal),
    };
  }

  /** How many connections are kept. */
  get size(): number {
    let size = 0;
    for (const connections of this.byToken.values()) size += connections.size;
    return size;
  }

  onApplicationShutdown(): void {
    this.stopListening();
    this.stopListeningForMissed();
  }

  /**
   * Checks every connection again, after the checks already asked for. One verification per raw
   * token, which the verification cache (just emptied) would need anyway at the token's next
   * request; a check right after another finds the tokens cached.
   */
  private recheckAll(): void {
    const recheckEvery = () => Promise.all([...this.byToken.keys()].map((tokenId) => this.recheck(tokenId)));
    this.allRechecked = this.allRechecked.then(recheckEvery, recheckEvery);
  }

  /**
   * Checks each connection of the token again, from its own address (the token's `allowedIps` may
   * have changed); connections with the same raw token share one verification.
   */
  private async recheck(tokenId: string): Promise<void> {
    const connections = this.byToken.get(tokenId);
    if (!connections) return;
    await Promise.all(
      [...connections].map(async (connection) => {
        const refusal = await this.authentication.recheck(connection.rawToken, connection.request);
        if (refusal) this.refuse(tokenId, connection, refusal);
      }),
    );
  }

  private refuse(tokenId: string, connection: TokenConnection, refusal: Refusal): void {
    if (!this.byToken.get(tokenId)?.has(connection)) return;
    this.forget(tokenId, connection);
    this.authentication.auditRefusal(refusal, connection.request);
    connection.close(refusal);
  }

  private forget(tokenId: string, connection: TokenConnection): void {
    const connections = this.byToken.get(tokenId);
    connections?.delete(connection);
    if (connections?.size === 0) this.byToken.delete(tokenId);
  }
}
