import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The application's own user: tokens belong to one through `Token.userId`. */
@Entity({ name: 'sample_user' })
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 150, unique: true })
  username!: string;
}
