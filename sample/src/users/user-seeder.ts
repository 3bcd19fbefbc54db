import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { User } from './user.entity.js';

/** The user the sample's tokens are made for. */
export const SAMPLE_USERNAME = 'api-user';

/** Makes sure `api-user` exists, so there is someone to create a token for. */
@Injectable()
export class UserSeeder implements OnApplicationBootstrap {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sampleUser();
  }

  /** The seeded user, created on first use. */
  async sampleUser(): Promise<User> {
    const existing = await this.users.findOneBy({ username: SAMPLE_USERNAME });
    return existing ?? this.users.save(this.users.create({ username: SAMPLE_USERNAME }));
  }
}
