import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { ReferenceHealthController } from './reference-health.controller.js';

/**
 * Not part of the sample: the benchmark's reference, the usual NestJS approach to API keys
 * (`@nestjs/passport` with `passport-headerapikey`, a SHA-256 lookup through TypeORM), measured in
 * the same app as the package. Loaded only with `SAMPLE_BENCH_REFERENCE=1` (see `app.module.ts`).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), PassportModule],
  providers: [ApiKeyStrategy],
  controllers: [ReferenceHealthController],
})
export class BenchReferenceModule {}
