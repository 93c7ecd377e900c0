import { createRequire } from 'node:module';
import { Command } from 'commander';
import * as auth from './commands/auth.js';
import * as changes from './commands/changes.js';
import * as comments from './commands/comments.js';
import * as config from './commands/config.js';
import * as cp from './commands/cp.js';
import * as get from './commands/get.js';
import * as help from './commands/help.js';
import * as info from './commands/info.js';
import * as link from './commands/link.js';
import * as ls from './commands/ls.js';
import * as mkdir from './commands/mkdir.js';
import * as mv from './commands/mv.js';
import * as put from './commands/put.js';
import * as quota from './commands/quota.js';
import * as recent from './commands/recent.js';
import * as restore from './commands/restore.js';
import * as rm from './commands/rm.js';
import * as search from './commands/search.js';
import * as set from './commands/set.js';
import * as share from './commands/share.js';
import * as thumbnails from './commands/thumbnails.js';
import * as tree from './commands/tree.js';
import * as user from './commands/user.js';
import * as versions from './commands/versions.js';
import type { CliDeps } from './deps.js';
import { addGlobalOptions, type Invoke } from './global-options.js';

const ROOT_HELP_AFTER = `
Items are drive paths from the root ('/docs/a.txt'; the leading '/' is optional)
unless they look like an item id ('id:XYZ' always does); -p and -i force one reading.

Environment:
  SKYDRIVE_TOKEN     access token to use; no profile or saved token is needed
  SKYDRIVE_ENDPOINT  Graph base URL with its version (like --endpoint)
  SKYDRIVE_PROFILE   profile name (like --profile)
  SKYDRIVE_CONFIG    config file (like --config)

Examples:
  skydrive ls -l /Documents
  skydrive put -r ./photos /Backup
  skydrive get /Documents/report.pdf
  skydrive --json info /Documents/report.pdf

Exit codes: skydrive help exit-codes
`;

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  // dist/cli/program.js → packages/skydrive/package.json
  return (require('../../package.json') as { version: string }).version;
}

/** Build the commander program with every command; `invoke` runs their actions. */
export function buildProgram(deps: CliDeps, invoke: Invoke): Command {
  const program = new Command('skydrive');
  program
    .description('browse and change a OneDrive from the shell (Microsoft Graph v1.0)')
    .usage('[global options] <command> [arguments]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpCommand(false)
    .helpOption('-h, --help', 'print help')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText('after', ROOT_HELP_AFTER);
  configureUsageErrors(program, deps);
  addGlobalOptions(program);

  const driveCommands = [set, link, share, search, recent, changes, thumbnails, versions, restore];
  for (const module of [
    ls,
    tree,
    info,
    mkdir,
    put,
    get,
    cp,
    mv,
    rm,
    quota,
    user,
    config,
    auth,
    ...driveCommands,
  ]) {
    const command = module.register(program, invoke);
    for (const leaf of [command, ...command.commands]) {
      configureUsageErrors(leaf, deps);
    }
  }
  for (const command of comments.register(program, invoke)) {
    configureUsageErrors(command, deps);
  }
  configureUsageErrors(help.register(program, invoke), deps);
  return program;
}

/**
 * Route commander's output to the CLI's streams and reword its usage errors
 * into the CLI's message form, with the command's help as the next step.
 */
function configureUsageErrors(command: Command, deps: CliDeps): void {
  command.configureOutput({
    writeOut: (text) => deps.stdout.write(text),
    writeErr: (text) => deps.stderr.write(text),
    outputError: (text, write) => write(formatUsageError(text, command)),
  });
}

/** 'error: unknown option '--lnog'\n(Did you mean --long?)' → one skydrive line plus a help hint. */
export function formatUsageError(text: string, command: Command): string {
  const lines = text.trim().split('\n');
  let message = (lines[0] ?? '').replace(/^error: /, '');
  // Commander writes "X is invalid. Y must be …" as two sentences; the CLI's form is one line.
  message = message.replace(/\. (\S)/g, (_match, next: string) => `: ${next.toLowerCase()}`);
  message = message.replace(/\.$/, '');
  const suggestion = lines
    .slice(1)
    .join(' ')
    .match(/^\(Did you mean (?:one of )?(.+)\?\)$/);
  if (suggestion?.[1] !== undefined) {
    message += `; did you mean ${suggestion[1]}?`;
  }
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  const helpCommand = ['skydrive', ...names, '--help'].join(' ');
  return `skydrive: ${message}\nsee: ${helpCommand}\n`;
}
