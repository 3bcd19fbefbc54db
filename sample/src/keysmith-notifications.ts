import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { KEYSMITH_EVENTS, type TokenExpiredEvent, type TokenExpiringEvent, type TokenLeakedEvent } from 'nestjs-keysmith';

/**
 * What the sample does with the keysmith events that call for someone's attention: it logs them.
 * An application would mail the token's owner instead (`token.userId`).
 */
@Injectable()
export class KeysmithNotifications {
  private readonly logger = new Logger('KeysmithNotifications');

  @OnEvent(KEYSMITH_EVENTS.expiring)
  expiring({ token, daysBefore, expiresAt }: TokenExpiringEvent): void {
    this.logger.warn(
      `Token ${token.prefix} "${token.name}" of user ${token.userId ?? 'none'} expires within ${daysBefore} day(s), at ${expiresAt.toISOString()}.`,
    );
  }

  @OnEvent(KEYSMITH_EVENTS.expired)
  expired({ token, expiresAt }: TokenExpiredEvent): void {
    this.logger.warn(`Token ${token.prefix} "${token.name}" of user ${token.userId ?? 'none'} expired at ${expiresAt.toISOString()}.`);
  }

  @OnEvent(KEYSMITH_EVENTS.leaked)
  leaked({ token, url, revoked }: TokenLeakedEvent): void {
    this.logger.warn(
      `Token ${token.prefix} "${token.name}" was found at ${url ?? 'an unknown place'}${revoked ? ' and is now revoked' : ''}.`,
    );
  }
}
