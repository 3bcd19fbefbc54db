import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TokenService } from 'nestjs-keysmith';
import { AppModule } from './app.module.js';
import { databaseOptions, describeDatabase } from './database.options.js';
import { UserSeeder } from './users/user-seeder.js';

/**
 * Creates a token for `api-user` and prints the raw token: the only time it exists.
 * Usage: `node sample/dist/create-token.js [scope ...]` (default scopes: `read`).
 */
async function createToken(scopes: string[]): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const user = await app.get(UserSeeder).sampleUser();
    const { token, rawToken } = await app.get(TokenService).create({
      name: 'sample-cli',
      description: 'Created by npm run sample:token',
      user,
      ...(scopes.length > 0 ? { scopes } : {}),
    });
    const port = process.env.PORT ?? 3000;
    console.log(
      `Token ${token.prefix} for ${user.username}, scopes ${token.scopes.join(', ')}, expires ${token.expiresAt?.toISOString() ?? 'never'}`,
    );
    console.log(`Data: ${describeDatabase(databaseOptions())}`);
    console.log(`Raw token (shown once, store it now):\n  ${rawToken}`);
    console.log(`Try it:\n  curl -H "X-KEYSMITH-TOKEN: ${rawToken}" http://localhost:${port}/api/health`);
  } finally {
    await app.close();
  }
}

createToken(process.argv.slice(2)).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
