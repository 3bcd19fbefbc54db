import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { databaseOptions, describeDatabase } from './database.options.js';
import { setupSwagger } from './swagger.js';

/** Serves the sample on `PORT` (default 3000). */
async function bootstrap(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  // The leak endpoint verifies GitHub's signature over the raw body.
  const app = await NestFactory.create(AppModule, { rawBody: true });
  app.enableShutdownHooks();
  setupSwagger(app);
  await app.listen(port);

  console.log(`
nestjs-keysmith sample on http://localhost:${port}
Data: ${describeDatabase(databaseOptions())}

Create a token for api-user (printed once):
  npm run sample:token                  scopes: read
  npm run sample:token -- read write    scopes: read, write
Then call the API with it:
  curl -H "X-KEYSMITH-TOKEN: <raw>" http://localhost:${port}/api/health
  curl -H "X-KEYSMITH-TOKEN: <raw>" http://localhost:${port}/api/me
  curl -H "X-KEYSMITH-TOKEN: <raw>" -H "Content-Type: application/json" -d '{"text":"hi"}' http://localhost:${port}/api/notes
Unguarded: curl http://localhost:${port}/api/ping

Admin console: http://localhost:${port}/keysmith (sign in with a token from: npm run sample:token -- keysmith:admin)
Leak reports (GitHub secret scanning): POST http://localhost:${port}/keysmith/leaks
Expiry warnings are logged a week and a day before a token expires.
OpenAPI: http://localhost:${port}/docs (Swagger UI), http://localhost:${port}/docs-json

Environment: PORT, DATABASE_URL (postgres://, mariadb://, mysql://; else SQLite),
  KEYSMITH_HASHER (bcrypt, sha256, pbkdf2_sha512; hasher of new tokens: ${process.env.KEYSMITH_HASHER || 'bcrypt'}),
  KEYSMITH_CACHE_TTL_SECONDS (verification cache TTL, 0 = off: ${process.env.KEYSMITH_CACHE_TTL_SECONDS || '60'}),
  KEYSMITH_REDIS (Redis URL shared by instances, for instant revocation: ${process.env.KEYSMITH_REDIS || 'none'}).
`);
}

void bootstrap();
