import { Controller, Get, Header, Req } from '@nestjs/common';
import { KeysmithPublic } from '../../decorators/keysmith-public.decorator.js';
import { ADMIN_PAGE_SCRIPT } from '../page/admin-page.script.js';
import { ADMIN_PAGE_STYLE } from '../page/admin-page.style.js';
import { adminPageBase } from '../page/admin-page-base.js';
import { renderAdminPage } from '../page/admin-page.html.js';
import { ApiExcludeController } from '../swagger/optional-swagger.js';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The admin page and its two assets. They hold no data and need no token (the page asks for one
 * and sends it to the API), so they are public even under a global `KeysmithGuard`.
 */
@ApiExcludeController()
@KeysmithPublic()
@Controller()
export class AdminPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('X-Frame-Options', 'DENY')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  page(@Req() request: { originalUrl?: string; url?: string }): string {
    return renderAdminPage(adminPageBase(request.originalUrl ?? request.url ?? '/'));
  }

  @Get('assets/admin.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return ADMIN_PAGE_STYLE;
  }

  @Get('assets/admin.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return ADMIN_PAGE_SCRIPT;
  }
}
