import { BadRequestException, Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { KeysmithGuard, KeysmithScopes, KeysmithUser } from 'nestjs-keysmith';
import type { User } from './users/user.entity.js';

interface Note {
  text: string;
  author: string | null;
}

/** Reading notes needs the `read` scope, writing one `write` as well. Kept in memory. */
@Controller('api/notes')
@UseGuards(KeysmithGuard)
@KeysmithScopes('read')
export class NotesController {
  private readonly notes: Note[] = [];

  @Get()
  list(): Note[] {
    return this.notes;
  }

  @Post()
  @KeysmithScopes('write')
  create(@Body() body: { text?: unknown }, @KeysmithUser() user: User | null): Note {
    const text = body?.text ?? '';
    if (typeof text !== 'string') throw new BadRequestException('text must be a string.');
    const note = { text, author: user?.username ?? null };
    this.notes.push(note);
    return note;
  }
}
