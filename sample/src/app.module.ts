import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule, getRepositoryToken } from '@nestjs/typeorm';
import { KeysmithAdminModule, KeysmithLeakModule, KeysmithModule } from 'nestjs-keysmith';
import type { Repository } from 'typeorm';
import { databaseOptions } from './database.options.js';
import { HealthController } from './health.controller.js';
import { keysmithOptions } from './keysmith.config.js';
import { KeysmithNotifications } from './keysmith-notifications.js';
import { MeController } from './me.controller.js';
import { NotesController } from './notes.controller.js';
import { PingController } from './ping.controller.js';
import { User } from './users/user.entity.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    // A factory, so the environment is read when the app starts, not when this file is imported.
    TypeOrmModule.forRootAsync({ useFactory: () => databaseOptions() }),
    UsersModule,
    KeysmithModule.forRootAsync({
      imports: [UsersModule],
      inject: [getRepositoryToken(User)],
      useFactory: (users: Repository<User>) => keysmithOptions(users),
    }),
    // The operator's console at /keysmith, for tokens with the keysmith:admin scope.
    KeysmithAdminModule.forRoot(),
    // GitHub's secret scanning reports at POST /keysmith/leaks: leaked tokens are revoked.
    KeysmithLeakModule.forRoot(),
    // The keysmith events, which KeysmithNotifications logs.
    EventEmitterModule.forRoot(),
    // Not part of the sample: the benchmark's reference route (bench/run.mjs sets this variable).
    ...(process.env.SAMPLE_BENCH_REFERENCE === '1'
      ? [import('./bench-reference/bench-reference.module.js').then(({ BenchReferenceModule }) => ({ module: BenchReferenceModule }))]
      : []),
  ],
  controllers: [PingController, HealthController, MeController, NotesController],
  providers: [KeysmithNotifications],
})
export class AppModule {}
