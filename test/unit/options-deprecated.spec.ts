import { Logger, type LoggerService } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeysmithConfigurationError, resolveKeysmithOptions, type KeysmithModuleOptions } from '../../lib/index.js';

// A file of its own: the deprecation warning is written once per process (per test file here).

const warnings: string[] = [];
const collector: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: (message: string) => void warnings.push(message),
};

beforeEach(() => Logger.overrideLogger(collector));
afterEach(() => Logger.overrideLogger(new Logger()));

function refusal(options: KeysmithModuleOptions): KeysmithConfigurationError {
  try {
    resolveKeysmithOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(KeysmithConfigurationError);
    return error as KeysmithConfigurationError;
  }
  throw new Error(`resolveKeysmithOptions accepted ${JSON.stringify(options)}`);
}

describe('auditFlushIntervalMs, the deprecated name of auditFlushIntervalSeconds', () => {
  it('still sets the flush interval, with one warning naming the new option and the value to write', () => {
    expect(resolveKeysmithOptions({ auditFlushIntervalMs: 50 }).auditFlushIntervalMs).toBe(50);
    expect(resolveKeysmithOptions({ auditFlushIntervalMs: 7 }).auditFlushIntervalMs).toBe(7);
    expect(warnings).toEqual([
      'KeysmithModule option "auditFlushIntervalMs" is deprecated; write auditFlushIntervalSeconds: 0.05 instead of auditFlushIntervalMs: 50.',
    ]);
  });

  it('is refused beside auditFlushIntervalSeconds, naming both', () => {
    const error = refusal({ auditFlushIntervalMs: 50, auditFlushIntervalSeconds: 0.05 });
    expect(error.option).toBe('auditFlushIntervalMs');
    expect(error.message).toContain('auditFlushIntervalSeconds');
  });

  it.each([1, 60_000])('still takes %j', (value) => {
    expect(resolveKeysmithOptions({ auditFlushIntervalMs: value }).auditFlushIntervalMs).toBe(value);
  });

  it.each([0, 60_001, 1.5, '50'])('is refused with %j under its own name, as before', (value) => {
    expect(refusal({ auditFlushIntervalMs: value as number }).option).toBe('auditFlushIntervalMs');
  });

  it('is not offered among the known options', () => {
    const error = refusal({ auditFlushInterval: 1 } as KeysmithModuleOptions);
    expect(error.message).toContain('auditFlushIntervalSeconds');
    expect(error.message).not.toContain('auditFlushIntervalMs');
  });
});
