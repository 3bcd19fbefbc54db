import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { KeysmithEventName, KeysmithEventPayloads } from './keysmith-events.js';

/** The part of `EventEmitter2` the package uses. */
interface EventEmitterLike {
  emitAsync(event: string, payload: unknown): Promise<unknown[]> | false;
}

/**
 * Emits the package's events on the application's `EventEmitter2`, when it has one.
 * `@nestjs/event-emitter` is an optional peer: it is imported only here, once the module starts,
 * and without it (or without `EventEmitterModule`) nothing is emitted. A listener that throws or
 * rejects is logged and never fails the action that emitted.
 */
@Injectable()
export class KeysmithEventEmitter implements OnModuleInit {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private emitter: EventEmitterLike | null = null;

  /** Without a `ModuleRef` (outside a NestJS application), nothing is emitted. */
  constructor(@Optional() @Inject(ModuleRef) private readonly moduleRef?: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    this.emitter = await applicationEmitter(this.moduleRef, this.logger);
  }

  /** Calls the listeners now, without waiting for the ones that return a promise. */
  emit<Name extends KeysmithEventName>(name: Name, payload: KeysmithEventPayloads[Name]): void {
    if (!this.emitter) return;
    try {
      const settled = this.emitter.emitAsync(name, payload);
      if (settled) settled.catch((error: unknown) => this.listenerFailed(name, error));
    } catch (error) {
      this.listenerFailed(name, error);
    }
  }

  private listenerFailed(name: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`A listener of ${name} failed: ${message}`, error instanceof Error ? error.stack : undefined);
  }
}

async function applicationEmitter(moduleRef: ModuleRef | undefined, logger: Logger): Promise<EventEmitterLike | null> {
  if (!moduleRef) return null;
  let eventEmitterPackage: typeof import('@nestjs/event-emitter');
  try {
    eventEmitterPackage = await import('@nestjs/event-emitter');
  } catch (error) {
    if (!isNotFound(error)) logger.warn(`@nestjs/event-emitter could not be loaded, so no events are emitted: ${(error as Error).message}`);
    return null;
  }
  try {
    return moduleRef.get(eventEmitterPackage.EventEmitter2, { strict: false });
  } catch {
    // The package is installed, but the application does not import EventEmitterModule.
    return null;
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}
