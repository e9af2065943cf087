import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The admin's override of the upstream connection: at most one row, id `current`. */
@Entity('opigno_connection')
export class OpignoConnectionRow {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'base_url', type: 'varchar', length: 2048 })
  baseUrl!: string;

  @Column({ name: 'graphql_path', type: 'varchar', length: 255 })
  graphqlPath!: string;

  @Column({ name: 'client_key', type: 'varchar', length: 512 })
  clientKey!: string;

  /** AES-256-GCM sealed (`v1:<iv>:<tag>:<ciphertext>`); never the plain secret. */
  @Column({ name: 'client_secret_sealed', type: 'text', nullable: true })
  clientSecretSealed!: string | null;

  /** Changes on every write, so other instances notice a new connection. */
  @Column({ type: 'varchar', length: 64 })
  revision!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}
