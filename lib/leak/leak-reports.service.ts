import { createHash } from 'node:crypto';
import { BadRequestException, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { KeysmithEventEmitter } from '../events/keysmith-event-emitter.js';
import { KEYSMITH_EVENTS } from '../events/keysmith-events.js';
import { TokenNotices } from '../notices/token-notices.js';
import { tokenView } from '../tokens/token-view.js';
import { TokenService } from '../tokens/token.service.js';
import type { LeakFeedback } from './keysmith-leak-options.interface.js';
import type { ResolvedLeakOptions } from './leak-options.js';
import { parseLeakReport, type LeakReportEntry } from './leak-report.js';
import { ReporterKeys } from './reporter-keys.js';

export const KEYSMITH_LEAK_OPTIONS = Symbol.for('nestjs-keysmith:leak-options');

/** Recorded as `extra.source` of the `revoked` row of a token a report revoked. */
const LEAK_SOURCE = 'leak';

/** The signed request a report came in. */
export interface SignedReport {
  body: Buffer;
  keyIdentifier: unknown;
  signature: unknown;
  /** For the audit rows: path, method, client IP, user agent. */
  request: unknown;
}

/**
 * Takes a leak report: its size, then its signature, then its shape are checked before any token
 * is; each token's checksum and secret decide its label, and each true positive is revoked (or
 * only notified), announced with `keysmith.token.leaked` and audited `leaked`, once per token and
 * raw token however often the report comes (a notice claimed in `keysmith_token_notice`).
 */
@Injectable()
export class LeakReports implements OnModuleInit {
  private readonly keys: ReporterKeys;

  constructor(
    @Inject(KEYSMITH_LEAK_OPTIONS) private readonly leakOptions: ResolvedLeakOptions,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(TokenNotices) private readonly notices: TokenNotices,
    @Inject(AuditLogService) private readonly auditLog: AuditLogService,
    @Inject(KeysmithEventEmitter) private readonly events: KeysmithEventEmitter,
  ) {
    this.keys = new ReporterKeys(leakOptions.keys);
  }

  /** Throws `KeysmithConfigurationError` at startup when the notices the endpoint claims have no entity. */
  async onModuleInit(): Promise<void> {
    await this.notices.assertAvailable('KeysmithLeakModule');
  }

  async receive({ body, keyIdentifier, signature, request }: SignedReport): Promise<LeakFeedback[]> {
    if (body.length > this.leakOptions.maxBodyBytes) {
      throw new BadRequestException(`The report is larger than ${this.leakOptions.maxBodyBytes} bytes.`);
    }
    await this.keys.verifySignature(body, keyIdentifier, signature);
    const entries = parseLeakReport(body);
    const labels = new Map<string, LeakFeedback['label']>();
    const feedback: LeakFeedback[] = [];
    for (const entry of entries) {
      const label = labels.get(entry.token) ?? (await this.handle(entry, request));
      labels.set(entry.token, label);
      feedback.push({ token_hash: sha256(entry.token), token_type: entry.type, label });
    }
    return feedback;
  }

  private async handle(entry: LeakReportEntry, request: unknown): Promise<LeakFeedback['label']> {
    const { token: found, secretMatches } = await this.tokens.identify(entry.token);
    if (!found || !secretMatches) return 'false_positive';
    const { action } = this.leakOptions;
    const token =
      action === 'revoke' ? await this.tokens.revoke(found, { source: LEAK_SOURCE, location: entry.url ?? undefined, request }) : found;
    // Revoked first and announced after: a report that fails in between is revoked by its retry, and announced then.
    if (await this.notices.claim(token.id, `leaked:${sha256(entry.token)}`)) {
      await this.auditLog.record(
        { action: 'leaked', tokenId: token.id, extra: { url: entry.url, source: entry.source, type: entry.type, action } },
        request,
      );
      this.events.emit(KEYSMITH_EVENTS.leaked, {
        token: tokenView(token),
        actorId: null,
        source: entry.source,
        url: entry.url,
        type: entry.type,
        action,
        revoked: action === 'revoke' && !found.revoked,
      });
    }
    return 'true_positive';
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
