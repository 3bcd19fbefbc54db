import { Controller, Get, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it, vi } from 'vitest';
import { RoutePolicies } from '../../lib/auth/route-policies.js';
import { KeysmithOptional, KeysmithPublic, KeysmithScopes } from '../../lib/index.js';

@KeysmithScopes('read')
class BaseController {
  @Get()
  @KeysmithScopes('read', 'list')
  list() {
    return [];
  }

  @Get('open')
  @KeysmithOptional()
  open() {
    return {};
  }
}

@Controller('admin')
@KeysmithScopes('admin')
@KeysmithOptional()
class AdminController extends BaseController {}

@Controller('public')
@KeysmithPublic()
class PublicController extends BaseController {
  @Get('closed')
  @KeysmithPublic(false)
  closed() {
    return {};
  }
}

type Handler = (...args: never[]) => unknown;
type RouteOf<C> = { [K in keyof C]: C[K] extends Handler ? K : never }[keyof C];

/** The context of a request to `controller`'s `route`: its handler as Nest hands it out, compared by identity, never called. */
const contextOf = <C extends object>(controller: Type<C>, route: RouteOf<C>) =>
  new ExecutionContextHost([], controller, (controller.prototype as C)[route] as Handler);

describe('RoutePolicies', () => {
  it('merges the scopes of the handler and its class, each once', () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(BaseController, 'list')).scopes).toEqual(['read', 'list']);
    expect([...policies.of(contextOf(AdminController, 'list')).scopes].sort()).toEqual(['admin', 'list', 'read']);
  });

  it('keeps one policy per controller for a handler two controllers inherit', () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(AdminController, 'list')).isOptional).toBe(true);
    expect(policies.of(contextOf(PublicController, 'list')).isPublic).toBe(true);
    expect(policies.of(contextOf(BaseController, 'list'))).toMatchObject({ isPublic: false, isOptional: false });
  });

  it("lets the handler's flag win over its class's", () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(PublicController, 'closed')).isPublic).toBe(false);
    expect(policies.of(contextOf(PublicController, 'open'))).toMatchObject({ isPublic: true, isOptional: true });
  });

  it('reads the metadata of a route once', () => {
    const reflector = new Reflector();
    const policies = new RoutePolicies(reflector);
    const first = policies.of(contextOf(AdminController, 'open'));
    const reads = vi.spyOn(reflector, 'getAllAndOverride');
    expect(policies.of(contextOf(AdminController, 'open'))).toBe(first);
    expect(reads).not.toHaveBeenCalled();
  });
});
