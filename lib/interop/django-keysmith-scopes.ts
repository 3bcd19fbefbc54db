import type { EntityManager, EntityMetadata, EntitySubscriberInterface, InsertEvent, LoadEvent, UpdateEvent } from 'typeorm';
import { Token } from '../entities/token.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { djangoUuid } from './django-keysmith-columns.js';

/** Token properties django-keysmith's table has no column for, refused when given a value, by the input field that sets each. */
const WITHOUT_COLUMN = {
  metadata: 'metadata',
  allowedIps: 'allowedIps',
  rateLimit: 'rateLimit',
  quotaRemaining: 'quota',
  previousKey: 'graceSeconds',
} as const satisfies Partial<Record<keyof Token, string>>;

/**
 * A token's scopes in django-keysmith's tables: the codenames of the `auth_permission` rows that
 * `keysmith_token_scopes` links it to. Read when a token is loaded; written, as permissions of
 * `keysmith.token` (the content type django-keysmith gives its scopes), when one is created.
 * Refuses what those tables cannot hold (a property without a column, an unknown user or scope)
 * before anything is written.
 */
export class DjangoKeysmithScopes implements EntitySubscriberInterface<Token> {
  /** Permission ids of the scopes of tokens being inserted, from `beforeInsert` to `afterInsert`. */
  private readonly permissionIds = new WeakMap<object, number[]>();

  listenTo(): typeof Token {
    return Token;
  }

  async afterLoad(token: Token, event?: LoadEvent<Token>): Promise<void> {
    if (!event) return;
    const rows: { codename: string }[] = await event.manager
      .createQueryBuilder()
      .select('permission.codename', 'codename')
      .from(djangoTable(event.metadata, 'keysmith_token_scopes'), 'link')
      .innerJoin(djangoTable(event.metadata, 'auth_permission'), 'permission', 'permission.id = link.permission_id')
      .where('link.token_id = :id', { id: djangoUuid.to(token.id) as string })
      .orderBy('permission.codename')
      .getRawMany();
    token.scopes = rows.map((row) => row.codename);
  }

  async beforeInsert({ entity, manager, metadata }: InsertEvent<Token>): Promise<void> {
    refuseWithoutColumn(entity);
    await refuseUnknownUser(manager, metadata, entity.userId, 'userId');
    await refuseUnknownUser(manager, metadata, entity.createdById, 'createdBy');
    this.permissionIds.set(entity, await permissionIdsOf(manager, metadata, entity.scopes ?? []));
  }

  async afterInsert({ entity, manager, metadata }: InsertEvent<Token>): Promise<void> {
    const ids = this.permissionIds.get(entity) ?? [];
    if (ids.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(djangoTable(metadata, 'keysmith_token_scopes'), ['token_id', 'permission_id'])
      .values(ids.map((permissionId) => ({ token_id: djangoUuid.to(entity.id) as string, permission_id: permissionId })))
      .execute();
  }

  beforeUpdate({ entity }: UpdateEvent<Token>): void {
    if (!entity) return;
    if ('scopes' in entity) {
      throw new KeysmithValidationError("With tables: 'django-keysmith', a token's scopes are changed in Django.", 'scopes');
    }
    if ('disabled' in entity) {
      throw new KeysmithValidationError("django-keysmith's tables have no column to disable a token in; revoke it instead.");
    }
    refuseWithoutColumn(entity);
  }
}

function refuseWithoutColumn(entity: Partial<Token>): void {
  for (const [property, field] of Object.entries(WITHOUT_COLUMN) as [keyof typeof WITHOUT_COLUMN, string][]) {
    if (entity[property] === null || entity[property] === undefined) continue;
    throw new KeysmithValidationError(
      `django-keysmith's tables have no column for ${field}; use nestjs-keysmith's own tables to set it.`,
      field,
    );
  }
}

/** Refuses a user id that is not one of `auth_user`'s, which django-keysmith's user columns reference. */
async function refuseUnknownUser(manager: EntityManager, metadata: EntityMetadata, id: string | null, field: string): Promise<void> {
  if (id === null || id === undefined) return;
  if (!/^\d{1,18}$/.test(id)) {
    throw new KeysmithValidationError(`django-keysmith's tables keep user ids as integers (auth_user.id); got "${id}".`, field);
  }
  const found: unknown = await manager
    .createQueryBuilder()
    .select('account.id')
    .from(djangoTable(metadata, 'auth_user'), 'account')
    .where('account.id = :id', { id })
    .getRawOne();
  if (!found) throw new KeysmithValidationError(`auth_user has no user ${id}; django-keysmith's tables hold tokens of its users.`, field);
}

/** The ids of `keysmith.token` permissions with these codenames; refuses a scope that has none. */
async function permissionIdsOf(manager: EntityManager, metadata: EntityMetadata, scopes: readonly string[]): Promise<number[]> {
  if (scopes.length === 0) return [];
  const rows: { id: number | string; codename: string }[] = await manager
    .createQueryBuilder()
    .select(['permission.id AS id', 'permission.codename AS codename'])
    .from(djangoTable(metadata, 'auth_permission'), 'permission')
    .innerJoin(djangoTable(metadata, 'django_content_type'), 'type', 'type.id = permission.content_type_id')
    .where("type.app_label = 'keysmith' AND type.model = 'token'")
    .andWhere('permission.codename IN (:...scopes)', { scopes })
    .getRawMany();
  const unknown = scopes.filter((scope) => !rows.some((row) => row.codename === scope));
  if (unknown.length > 0) {
    throw new KeysmithValidationError(
      `django-keysmith's scopes are permissions of keysmith.token in auth_permission; none has the codename ${unknown.map((scope) => `"${scope}"`).join(', ')}.`,
      'scopes',
    );
  }
  return rows.map((row) => Number(row.id));
}

/** A table of Django's beside the token table (in its schema, if it has one); the query builder quotes it. */
function djangoTable(metadata: EntityMetadata, name: string): string {
  return metadata.schema ? `${metadata.schema}.${name}` : name;
}
