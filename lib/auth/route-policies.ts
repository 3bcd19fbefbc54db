import type { ExecutionContext, Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  ANY_OF_SCOPES_METADATA,
  COST_METADATA,
  OPTIONAL_METADATA,
  PUBLIC_METADATA,
  SCOPES_METADATA,
} from '../keysmith.internal-constants.js';

/** A route's handler, typed as `ExecutionContext.getHandler()` hands it out. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

/** What the decorators of a route ask of the guard. */
export interface RoutePolicy {
  /** `@KeysmithPublic()`: no token is read. */
  isPublic: boolean;
  /** `@KeysmithOptional()`: a request without a token passes as anonymous. */
  isOptional: boolean;
  /** `@KeysmithScopes(...)` of the handler and of its class, each once: the token needs all of them. */
  scopes: readonly string[];
  /** `@KeysmithScopes({ anyOf })` of the handler and of its class: the token needs one scope of each list. */
  anyOf: ReadonlyArray<readonly string[]>;
  /** `@KeysmithCost(n)` of the handler, else of its class, else 1: what a request takes from the token's quota. */
  cost: number;
}

/**
 * The policy of each route, read from its metadata the first time the route is hit. Route
 * metadata is fixed once the application has started, and reading it on every request is a
 * measurable part of the cost of a request served from the verification cache.
 */
export class RoutePolicies {
  // By handler, then by class: a handler inherited by two controllers can have two policies.
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.policies.get(handler);
    if (!byController) this.policies.set(handler, (byController = new WeakMap()));
    let policy = byController.get(controller);
    if (!policy) byController.set(controller, (policy = this.read(handler, controller)));
    return policy;
  }

  private read(handler: Handler, controller: Type): RoutePolicy {
    const targets = [handler, controller];
    // The handler's setting wins over the class's; scopes of both apply.
    const flag = (key: string) => this.reflector.getAllAndOverride<boolean | undefined>(key, targets) === true;
    return {
      isPublic: flag(PUBLIC_METADATA),
      isOptional: flag(OPTIONAL_METADATA),
      scopes: [...new Set(this.reflector.getAllAndMerge<string[]>(SCOPES_METADATA, targets))],
      anyOf: this.reflector.getAllAndMerge<string[][]>(ANY_OF_SCOPES_METADATA, targets),
      cost: this.reflector.getAllAndOverride<number | undefined>(COST_METADATA, targets) ?? 1,
    };
  }
}
