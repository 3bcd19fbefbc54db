import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An API key as the usual approach stores it: the SHA-256 of the key in hex, unique and indexed. */
@Entity({ name: 'api_key' })
export class ApiKey {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  sha256!: string;
}
