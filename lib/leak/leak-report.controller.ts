import { Controller, Headers, HttpCode, Inject, InternalServerErrorException, Logger, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '../admin/swagger/optional-swagger.js';
import { KeysmithPublic } from '../decorators/keysmith-public.decorator.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { LeakFeedback } from './keysmith-leak-options.interface.js';
import { LeakReports } from './leak-reports.service.js';

/** Express and Fastify requests alike, once NestJS kept the raw body (`rawBody: true`). */
interface RawBodyRequest {
  rawBody?: Buffer;
  body?: unknown;
}

const RAW_BODY_NEEDED =
  'The leak endpoint verifies the signature over the raw body, which NestJS keeps only for an application created with ' +
  'NestFactory.create(AppModule, { rawBody: true }).';

/** `POST <path>`: a leak report, signed by the reporter. Public: the signature is its authentication. */
@ApiExcludeController()
@KeysmithPublic()
@Controller()
export class LeakReportController {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(@Inject(LeakReports) private readonly reports: LeakReports) {}

  @Post()
  @HttpCode(200)
  receive(
    @Req() request: RawBodyRequest,
    @Headers('github-public-key-identifier') keyIdentifier: unknown,
    @Headers('github-public-key-signature') signature: unknown,
  ): Promise<LeakFeedback[]> {
    const body = request.rawBody ?? (request.body === undefined ? Buffer.alloc(0) : undefined);
    if (!body) {
      this.logger.error(RAW_BODY_NEEDED);
      throw new InternalServerErrorException(RAW_BODY_NEEDED);
    }
    return this.reports.receive({ body, keyIdentifier, signature, request });
  }
}
