import { getMetadataArgsStorage, type DataSource } from 'typeorm';
import { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import { Token } from '../entities/token.entity.js';
import { standaloneKeysmith } from '../standalone-services.js';
import { CliError } from './cli-error.js';
import type { CliOutput, CommandContext } from './command.js';
import { loadDataSourceFile } from './data-source-loader.js';
import { keysmithOptionsFrom } from './keysmith-options-source.js';
import { missingTables } from './missing-tables.js';

export interface CliContext extends Omit<CommandContext, 'confirm'> {
  /** Writes what the services still buffer, then closes the data source's connections. */
  close(): Promise<void>;
}

/**
 * Connects to the application's database through its data source file and builds the services
 * the commands use, without a Nest application. The CLI never changes the schema and keeps
 * stdout for its results: `synchronize`, `migrationsRun`, `dropSchema` and `logging` are turned
 * off, as the TypeORM CLI does for its own commands.
 */
export async function openContext(file: string, env: NodeJS.ProcessEnv, output: CliOutput, typeScriptHooks: URL): Promise<CliContext> {
  const { dataSource, keysmithOptions } = await loadDataSourceFile(file, typeScriptHooks);
  const options = keysmithOptionsFrom(keysmithOptions, env);
  if (!dataSource.isInitialized) {
    // A logger is only rebuilt when `logger` is given; `logging: false` alone would keep the file's.
    dataSource.setOptions({ synchronize: false, migrationsRun: false, dropSchema: false, logging: false, logger: 'advanced-console' });
    await dataSource.initialize();
  }
  try {
    if (!dataSource.hasMetadata(Token) || !dataSource.hasMetadata(TokenAuditLog)) {
      throw new CliError(
        listsAnotherCopy(dataSource, Token)
          ? `the DataSource of ${file} lists the entities of another copy of nestjs-keysmith; run the keysmith of that copy (npx keysmith in the application).`
          : `the DataSource of ${file} does not know the nestjs-keysmith entities; add KEYSMITH_ENTITIES to its entities.`,
      );
    }
    const missing = await missingTables(dataSource, [Token, TokenAuditLog]);
    if (missing.length > 0) {
      throw new CliError(`the database has no ${missing.join(' and no ')} table; run the migrations first (KEYSMITH_MIGRATIONS).`);
    }
    // Said after what the command says about its own change.
    const notes: string[] = [];
    const keysmith = await standaloneKeysmith(dataSource, options, (note) => notes.push(`Note: ${note}\n`));
    return {
      tokens: keysmith.tokens,
      auditLog: keysmith.auditLog,
      tokenRepository: dataSource.getRepository(Token),
      output,
      close: async () => {
        for (const note of notes) output.stderr(note);
        try {
          await keysmith.close();
        } finally {
          await dataSource.destroy();
        }
      },
    };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

/** Whether the DataSource lists an entity of the same class name and table as `entity`, but another class. */
function listsAnotherCopy(dataSource: DataSource, entity: typeof Token): boolean {
  const table = getMetadataArgsStorage().tables.find((args) => args.target === entity)?.name;
  return dataSource.entityMetadatas.some((metadata) => metadata.targetName === entity.name && metadata.givenTableName === table);
}
