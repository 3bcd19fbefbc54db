import { Controller, Get } from '@nestjs/common';

/** Unguarded: whether the app answers at all (the benchmark's bare endpoint). */
@Controller('api/ping')
export class PingController {
  @Get()
  ping() {
    return { ok: true };
  }
}
