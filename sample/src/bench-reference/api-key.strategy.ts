import { createHash } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { getRepositoryToken } from '@nestjs/typeorm';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { Repository } from 'typeorm';
import { ApiKey } from './api-key.entity.js';

/** `passport-headerapikey`: the key from `X-API-KEY`, found by its SHA-256 in one query; no writes. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'headerapikey') {
  constructor(@Inject(getRepositoryToken(ApiKey)) private readonly keys: Repository<ApiKey>) {
    super({ header: 'X-API-KEY', prefix: '' }, false);
  }

  async validate(apiKey: string): Promise<ApiKey> {
    const key = await this.keys.findOneBy({ sha256: createHash('sha256').update(apiKey).digest('hex') });
    if (!key) throw new UnauthorizedException();
    return key;
  }
}
