import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
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

const contextOf = (controller: Function, handler: Function) => new ExecutionContextHost([], controller as never, handler);

describe('RoutePolicies', () => {
  it('merges the scopes of the handler and its class, each once', () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(BaseController, BaseController.prototype.list)).scopes).toEqual(['read', 'list']);
    expect([...policies.of(contextOf(AdminController, BaseController.prototype.list)).scopes].sort()).toEqual(['admin', 'list', 'read']);
  });

  it('keeps one policy per controller for a handler two controllers inherit', () => {
    const policies = new RoutePolicies(new Reflector());
    const inherited = BaseController.prototype.list;
    expect(policies.of(contextOf(AdminController, inherited)).isOptional).toBe(true);
    expect(policies.of(contextOf(PublicController, inherited)).isPublic).toBe(true);
    expect(policies.of(contextOf(BaseController, inherited))).toMatchObject({ isPublic: false, isOptional: false });
  });

  it("lets the handler's flag win over its class's", () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(PublicController, PublicController.prototype.closed)).isPublic).toBe(false);
    expect(policies.of(contextOf(PublicController, BaseController.prototype.open))).toMatchObject({ isPublic: true, isOptional: true });
  });

  it('reads the metadata of a route once', () => {
    const reflector = new Reflector();
    const policies = new RoutePolicies(reflector);
    const first = policies.of(contextOf(AdminController, BaseController.prototype.open));
    let reads = 0;
    const read = reflector.getAllAndOverride.bind(reflector);
    reflector.getAllAndOverride = ((...args: Parameters<Reflector['getAllAndOverride']>) => (reads++, read(...args))) as never;
    expect(policies.of(contextOf(AdminController, BaseController.prototype.open))).toBe(first);
    expect(reads).toBe(0);
  });
});
