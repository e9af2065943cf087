import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { printTable } from '../../cli/output';
import { ApiKeysService } from '../api-keys.service';
import { ROLES, Role } from '../roles';

function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

@SubCommand({ name: 'create', description: 'Create an API key (shown once)' })
export class KeysCreateCommand extends CommandRunner {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  @Option({ flags: '--role <role>', description: `one of ${ROLES.join(', ')}`, required: true })
  parseRole(value: string): string {
    return value;
  }

  @Option({ flags: '--label <label>', description: 'who or what uses the key', required: true })
  parseLabel(value: string): string {
    return value;
  }

  async run(_params: string[], options: { role: string; label: string }): Promise<void> {
    if (!(ROLES as readonly string[]).includes(options.role)) return refuse(`--role must be one of ${ROLES.join(', ')}`);
    if (options.label.trim().length === 0 || options.label.length > 200) return refuse('--label must be 1 to 200 characters');
    const created = await this.apiKeys.create(options.role as Role, options.label);
    process.stdout.write(`Created ${created.role} key ${created.id} (${created.label}).\n`);
    process.stdout.write(`Key (shown once, store it now): ${created.key}\n`);
  }
}

@SubCommand({ name: 'list', description: 'List API keys (prefix, role, label, created, last used, revoked)' })
export class KeysListCommand extends CommandRunner {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async run(): Promise<void> {
    printTable((await this.apiKeys.list()).map((k) => ({ ...k })));
  }
}

@SubCommand({ name: 'revoke', arguments: '<id>', description: 'Revoke an API key by id' })
export class KeysRevokeCommand extends CommandRunner {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const revoked = await this.apiKeys.revoke(id!).catch((error: unknown) => {
      refuse(error instanceof Error ? error.message : String(error));
      return null;
    });
    if (!revoked) return;
    process.stdout.write(`Revoked key ${revoked.id} (${revoked.prefix}…, ${revoked.label}).\n`);
  }
}

@Command({ name: 'keys', description: 'Manage API keys', subCommands: [KeysCreateCommand, KeysListCommand, KeysRevokeCommand] })
export class KeysCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
