import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserSeeder } from './user-seeder.js';
import { User } from './user.entity.js';

/** The `User` repository (for `resolveUser`) and the seeded `api-user`. */
@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UserSeeder],
  exports: [TypeOrmModule, UserSeeder],
})
export class UsersModule {}
