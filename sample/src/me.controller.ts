import { Controller, Get, UseGuards } from '@nestjs/common';
import { KeysmithGuard, KeysmithToken, KeysmithUser, type Token } from 'nestjs-keysmith';
import type { User } from './users/user.entity.js';

/** Who the token belongs to: the user `resolveUser` loaded. */
@Controller('api/me')
@UseGuards(KeysmithGuard)
export class MeController {
  @Get()
  me(@KeysmithUser() user: User | null, @KeysmithToken() token: Token) {
    return { user: user && { id: user.id, username: user.username }, scopes: token.scopes };
  }
}
