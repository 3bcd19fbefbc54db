import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { KeysmithModule, type KeysmithModuleOptions } from '../../lib/index.js';

/** An application on a data source it is handed, already initialized (as `dataSourceFactory` hands it). */
export async function startOn(dataSource: DataSource, options: KeysmithModuleOptions = {}): Promise<() => Promise<void>> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRootAsync({
        useFactory: () => ({ ...dataSource.options, autoLoadEntities: true, retryAttempts: 0 }),
        dataSourceFactory: () => Promise.resolve(dataSource),
      }),
      KeysmithModule.forRoot({ bcryptRounds: 4, ...options }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return () => app.close();
}
