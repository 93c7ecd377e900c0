import type { Command } from 'commander';
import {
  CONFIG_KEYS,
  type ConfigKey,
  readConfig,
  validateConfigValue,
  writeConfig,
} from '../config.js';
import type { CommandContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';

const KEY_LIST = Object.keys(CONFIG_KEYS).join(', ');

export function register(program: Command, invoke: Invoke): Command {
  const config = program
    .command('config')
    .helpCommand(false)
    .summary('read and change profile settings')
    .description(
      `Read and change the settings of a profile (--profile, default "default") in the config file. Keys: endpoint (Graph base URL with its version) and client-id (the application id used to sign in).`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive config set endpoint http://127.0.0.1:8080/v1.0\n  skydrive --profile work config set client-id 00000000-0000-0000-0000-000000000000\n  skydrive config list\n',
    );
  addGlobalOptions(
    config
      .command('set')
      .description('set a key of the profile')
      .argument('<key>', KEY_LIST)
      .argument('<value>', 'the new value')
      .action((key: string, value: string, _options: unknown, cmd: Command) =>
        invoke(cmd, (context) => runSet(key, value, context)),
      ),
  );
  addGlobalOptions(
    config
      .command('get')
      .description('print a key of the profile; exit 1 if it is not set')
      .argument('<key>', KEY_LIST)
      .action((key: string, _options: unknown, cmd: Command) =>
        invoke(cmd, (context) => runGet(key, context)),
      ),
  );
  addGlobalOptions(
    config
      .command('list')
      .description('print every profile and its settings')
      .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => runList(context))),
  );
  return config;
}

function checkKey(key: string): ConfigKey {
  if (!(key in CONFIG_KEYS)) {
    throw usageError(`unknown config key '${key}'; valid keys: ${KEY_LIST}`);
  }
  return key as ConfigKey;
}

export async function runSet(key: string, value: string, context: CommandContext): Promise<void> {
  const checked = checkKey(key);
  const stored = validateConfigValue(checked, value);
  const file = context.configFile();
  const config = await readConfig(file);
  const profile = config.profiles[context.profile] ?? {};
  profile[CONFIG_KEYS[checked]] = stored;
  config.profiles[context.profile] = profile;
  await writeConfig(file, config);
  context.note(`set ${key} of profile ${context.profile} in ${file}`);
}

export async function runGet(key: string, context: CommandContext): Promise<void> {
  const checked = checkKey(key);
  const config = await readConfig(context.configFile());
  const value = config.profiles[context.profile]?.[CONFIG_KEYS[checked]];
  if (value === undefined) {
    throw new CliError(
      `${key} is not set for profile ${context.profile}; set it with: skydrive config set ${key} <value>`,
    );
  }
  if (context.json) {
    context.printJson({ profile: context.profile, key, value });
    return;
  }
  context.print(value);
}

export async function runList(context: CommandContext): Promise<void> {
  const config = await readConfig(context.configFile());
  const names = Object.keys(config.profiles).sort();
  if (context.json) {
    context.printJson({ profiles: config.profiles });
    return;
  }
  for (const name of names) {
    const profile = config.profiles[name] ?? {};
    for (const [key, field] of Object.entries(CONFIG_KEYS)) {
      const value = profile[field];
      if (value !== undefined) {
        context.print(`${name}.${key}=${value}`);
      }
    }
  }
}
