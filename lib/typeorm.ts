/**
 * The entities and the migrations alone, without NestJS: for a data source file that TypeORM's
 * own CLI loads (`import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS } from 'nestjs-keysmith/typeorm'`).
 */
export * from './entities/index.js';
export { DJANGO_KEYSMITH_ENTITIES } from './interop/django-keysmith-schemas.js';
export * from './migrations/index.js';
