import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Brackets, type Repository } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { Token } from '../entities/token.entity.js';
import { KeysmithEventEmitter } from '../events/keysmith-event-emitter.js';
import { KEYSMITH_EVENTS } from '../events/keysmith-events.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_TOKEN_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { tokenView } from '../tokens/token-view.js';
import { TokenNotices, noticeKey } from './token-notices.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Tokens that expired longer ago than this are not announced: turning the warnings on does not announce every old expiry. */
export const EXPIRED_LOOKBACK_MS = 7 * DAY_MS;
const BATCH_SIZE = 500;

/** What one scan sent from this instance. */
export interface ExpiryScanResult {
  expiring: number;
  expired: number;
}

type DueNotice = { kind: 'expiring'; daysBefore: number; notice: string } | { kind: 'expired'; notice: string };

/**
 * With `expiryWarnings`, looks every `scanIntervalSeconds` (and once at startup) for live tokens
 * that reached a threshold of `daysBefore` or whose expiry passed, and sends each notice once:
 * `keysmith.token.expiring` per threshold, `keysmith.token.expired` per expiry, each with its
 * audit row. A notice is claimed in `keysmith_token_notice` before it is sent, so of several
 * instances exactly one sends it. A token whose expiry is moved is warned again before the new one.
 */
@Injectable()
export class ExpiryWarningScanner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(KEYSMITH_TOKEN_REPOSITORY) private readonly tokens: Repository<Token>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(TokenNotices) private readonly notices: TokenNotices,
    @Inject(AuditLogService) private readonly auditLog: AuditLogService,
    @Inject(KeysmithEventEmitter) private readonly events: KeysmithEventEmitter,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.expiryWarnings) await this.notices.assertAvailable('expiryWarnings');
  }

  onApplicationBootstrap(): void {
    if (this.options.expiryWarnings) this.scheduleScan(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning;
  }

  /** Sends the notices due now and resolves with how many this instance sent. Nothing without `expiryWarnings`. */
  async scan(): Promise<ExpiryScanResult> {
    const sent: ExpiryScanResult = { expiring: 0, expired: 0 };
    const settings = this.options.expiryWarnings;
    if (!settings) return sent;
    const now = Date.now();
    let after: Token | undefined;
    for (;;) {
      const batch = await this.candidates(new Date(now - EXPIRED_LOOKBACK_MS), new Date(now + settings.daysBefore[0] * DAY_MS), after);
      const recorded = await this.notices.recorded(batch.map((token) => token.id));
      for (const token of batch) {
        const due = dueNotice(token.expiresAt!, now, settings.daysBefore);
        if (!due || recorded.has(noticeKey(token.id, due.notice))) continue;
        if (!(await this.notices.claim(token.id, due.notice))) continue;
        await this.send(token, due);
        sent[due.kind]++;
      }
      if (batch.length < BATCH_SIZE) return sent;
      after = batch[batch.length - 1];
    }
  }

  private scheduleScan(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.scanning = this.scan()
        .catch((error: unknown) => this.logger.error(`The expiry warning scan failed: ${(error as Error).message}`))
        .finally(() => {
          this.scanning = undefined;
          if (!this.stopped) this.scheduleScan(this.options.expiryWarnings!.scanIntervalMs);
        });
    }, delayMs);
    // The scan alone never keeps a process alive.
    this.timer.unref();
  }

  /** Live tokens expiring in `(since, until]`, by expiry then id, after `after`. */
  private candidates(since: Date, until: Date, after: Token | undefined): Promise<Token[]> {
    const query = this.tokens
      .createQueryBuilder('token')
      .where('token.revoked = :no AND token.purged = :no', { no: false })
      .andWhere('token.expiresAt > :since AND token.expiresAt <= :until', { since, until })
      .orderBy('token.expiresAt', 'ASC')
      .addOrderBy('token.id', 'ASC')
      .limit(BATCH_SIZE);
    if (after) {
      query.andWhere(
        new Brackets((later) =>
          later.where('token.expiresAt > :afterExpiry').orWhere('token.expiresAt = :afterExpiry AND token.id > :afterId'),
        ),
        { afterExpiry: after.expiresAt, afterId: after.id },
      );
    }
    return query.getMany();
  }

  private async send(token: Token, due: DueNotice): Promise<void> {
    const expiresAt = token.expiresAt!;
    const base = { token: tokenView(token), actorId: null, source: null, expiresAt };
    if (due.kind === 'expiring') {
      await this.auditLog.record({
        action: 'expiry_warning',
        tokenId: token.id,
        extra: { days_before: due.daysBefore, expires_at: expiresAt.toISOString() },
      });
      this.events.emit(KEYSMITH_EVENTS.expiring, { ...base, daysBefore: due.daysBefore });
    } else {
      await this.auditLog.record({ action: 'expired', tokenId: token.id, extra: { expires_at: expiresAt.toISOString() } });
      this.events.emit(KEYSMITH_EVENTS.expired, base);
    }
  }
}

/**
 * The notice a token is due at `now`: `expired` once its expiry passed, else the `expiring` of the
 * smallest threshold it is within. Both name the expiry, so a moved expiry gets notices of its own.
 */
function dueNotice(expiresAt: Date, now: number, daysBefore: readonly number[]): DueNotice | null {
  const remaining = expiresAt.getTime() - now;
  const expiry = expiresAt.toISOString();
  if (remaining <= 0) return { kind: 'expired', notice: `expired:${expiry}` };
  const threshold = daysBefore.findLast((days) => remaining <= days * DAY_MS);
  return threshold === undefined ? null : { kind: 'expiring', daysBefore: threshold, notice: `expiring:${threshold}:${expiry}` };
}
