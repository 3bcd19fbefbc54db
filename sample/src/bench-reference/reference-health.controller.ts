import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { ApiKey } from './api-key.entity.js';

/** The reference's counterpart of `GET /api/health`. */
@Controller('api/reference/health')
@UseGuards(AuthGuard('headerapikey'))
export class ReferenceHealthController {
  @Get()
  health(@Req() request: { user: ApiKey }) {
    return { ok: true, key_id: request.user.id };
  }
}
