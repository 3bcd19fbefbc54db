import { Injectable } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEYSMITH_EVENTS, type TokenEvent, type TokenUpdatedEvent } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

interface Received {
  name: string;
  payload: TokenEvent;
}

/** A listener that throws, as a NestJS application writes one: errors are not suppressed. */
@Injectable()
class FailingListener {
  @OnEvent(KEYSMITH_EVENTS.revoked, { suppressErrors: false })
  async onRevoked(): Promise<void> {
    await Promise.resolve();
    throw new Error('the mail server is down');
  }
}

const LIFECYCLE_EVENTS = [KEYSMITH_EVENTS.created, KEYSMITH_EVENTS.rotated, KEYSMITH_EVENTS.revoked, KEYSMITH_EVENTS.purged];

describe.each(databaseVariants())('lifecycle events on $database', (variant) => {
  let app: TestApp;
  let received: Received[];

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-events',
      variant,
      imports: [EventEmitterModule.forRoot()],
      providers: [FailingListener],
    });
    for (const name of Object.values(KEYSMITH_EVENTS)) {
      app.app.get(EventEmitter2).on(name, (payload: TokenEvent) => void received.push({ name, payload }));
    }
  });
  afterAll(() => app?.close());
  afterEach(() => {
    received = [];
  });
  received = [];

  const names = () => received.map((event) => event.name);

  it(`emits created, rotated, revoked and purged with the token's view, actor and source (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'evented', userId: 7, createdBy: { id: 'admin-1' }, source: 'admin' });
    const rotatedRaw = await app.tokens.rotate(token.id, { actor: 'admin-2', source: 'cli' });
    await app.tokens.revoke(token.prefix, { actor: 3 });
    await app.tokens.purge(token.id);

    expect(names()).toEqual(LIFECYCLE_EVENTS);
    const [created, rotated, revoked, purged] = received.map((event) => event.payload);
    expect(Object.keys(created)).toEqual(['token', 'actorId', 'source']);
    expect(created).toMatchObject({
      token: { id: token.id, prefix: token.prefix, name: 'evented', userId: '7', state: 'active' },
      actorId: 'admin-1',
      source: 'admin',
    });
    expect(rotated).toMatchObject({ token: { id: token.id, state: 'active', lastUsedAt: null }, actorId: 'admin-2', source: 'cli' });
    expect(revoked).toMatchObject({ token: { id: token.id, state: 'revoked', revoked: true }, actorId: '3', source: null });
    expect(purged).toMatchObject({ token: { id: token.id, state: 'purged', purged: true }, actorId: null, source: null });

    const stored = await app.tokens.get(token.id);
    for (const { payload } of received) {
      expect(Object.keys(payload.token)).not.toContain('key');
      const text = JSON.stringify(payload);
      for (const secret of [rawToken, rotatedRaw, stored.key].map((value) => value.slice(value.indexOf(':') + 1))) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('emits disabled, enabled and updated (with the names of the changed fields, never their values)', async () => {
    const { token } = await app.tokens.create({ name: 'switched', scopes: ['read'] });
    received = [];
    await app.tokens.disable(token, { actor: 'ops-1', source: 'admin' });
    await app.tokens.disable(token);
    await app.tokens.enable(token.id, { actor: 'ops-2' });
    await app.tokens.update(token.prefix, { name: 'renamed', description: 'new text', actor: 'ops-3', source: 'cli' });
    await app.tokens.update(token.prefix, { name: 'renamed' });

    expect(names()).toEqual([KEYSMITH_EVENTS.disabled, KEYSMITH_EVENTS.enabled, KEYSMITH_EVENTS.updated]);
    const [disabled, enabled, updated] = received.map((event) => event.payload);
    expect(disabled).toMatchObject({ token: { id: token.id, disabled: true }, actorId: 'ops-1', source: 'admin' });
    expect(enabled).toMatchObject({ token: { id: token.id, disabled: false }, actorId: 'ops-2', source: null });
    expect(updated).toMatchObject({ token: { id: token.id, name: 'renamed' }, actorId: 'ops-3', source: 'cli' });
    expect((updated as TokenUpdatedEvent).fields.sort()).toEqual(['description', 'name']);
  });

  it('emits nothing for a revoke or purge that changes nothing', async () => {
    const { token } = await app.tokens.create({ name: 'revoked-twice' });
    await app.tokens.revoke(token);
    await app.tokens.purge(token);
    expect(names()).toEqual([KEYSMITH_EVENTS.created, KEYSMITH_EVENTS.revoked, KEYSMITH_EVENTS.purged]);
    received = [];
    await app.tokens.revoke(token);
    await app.tokens.purge(token);
    await app.tokens.revoke(token, { purge: true });
    expect(names()).toEqual([]);
  });

  it('never fails an action for a listener that throws or rejects, and logs it', async () => {
    const emitter = app.app.get(EventEmitter2);
    const throwing = () => {
      throw new Error('listener bug');
    };
    emitter.prependListener(KEYSMITH_EVENTS.created, throwing);
    try {
      const { token } = await app.tokens.create({ name: 'listener-throws' });
      expect(token.id).toBeTruthy();
      const revoked = await app.tokens.revoke(token);
      expect(revoked.revoked).toBe(true);
      expect((await app.tokens.get(token.id)).revoked).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      const errors = app.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);
      expect(errors).toContain('A listener of keysmith.token.created failed: listener bug');
      expect(errors).toContain('A listener of keysmith.token.revoked failed: the mail server is down');
      expect(names()).toEqual([KEYSMITH_EVENTS.revoked]);
    } finally {
      emitter.off(KEYSMITH_EVENTS.created, throwing);
    }
  });
});

describe.each(databaseVariants())('without EventEmitterModule on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'token-events-none', variant });
  });
  afterAll(() => app?.close());

  it('runs every action and emits nothing', async () => {
    const { token } = await app.tokens.create({ name: 'quiet' });
    await app.tokens.rotate(token);
    expect((await app.tokens.revoke(token)).revoked).toBe(true);
    // Beside the one notice that, without redis, other instances may still accept the revoked token.
    const problems = app.logs.filter((entry) => entry.level === 'error' || entry.level === 'warn');
    expect(problems.map((entry) => entry.message)).toEqual([expect.stringMatching(/^Without the redis option, /)]);
  });
});
