import { Controller, Get, UseGuards } from '@nestjs/common';
import { KeysmithGuard, KeysmithToken, type Token } from 'nestjs-keysmith';

/** Any valid token may ask whether the API is up. */
@Controller('api/health')
@UseGuards(KeysmithGuard)
export class HealthController {
  @Get()
  health(@KeysmithToken() token: Token) {
    return { ok: true, token_prefix: token.prefix };
  }
}
