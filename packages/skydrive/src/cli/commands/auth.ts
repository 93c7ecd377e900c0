import { type Command, Option } from 'commander';
import {
  deleteToken,
  type SavedToken,
  saveToken,
  tokenFilePath,
  withTokenLock,
} from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger } from '../global-options.js';
import { type LoginOptions, runLogin } from './auth-login.js';
import { runRefresh, runStatus } from './auth-status.js';

/** JSON response body of an OAuth 2.0 token endpoint. */
interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  /** Lifetime of the access token in seconds. */
  expires_in?: number;
  scope?: string;
}

/** Largest stdin the import reads; a token response is a few kilobytes. */
const MAX_INPUT_BYTES = 1024 * 1024;

export function register(program: Command, invoke: Invoke): Command {
  const auth = program
    .command('auth')
    .helpCommand(false)
    .summary('sign in, show and refresh the saved token, sign out')
    .description(
      "Sign in to the Microsoft identity platform (or the emulator's) as a public client and keep the tokens per profile. 'auth login' opens the browser (authorization code with PKCE); 'auth login --device-code' signs in from another device. Access tokens are refreshed automatically; 'auth refresh' does it now. 'auth import' saves a token endpoint's JSON response read on stdin; 'auth logout' deletes the saved tokens. Tokens are never printed.",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive auth login --client-id 00000000-0000-0000-0000-000000000000\n  skydrive auth login --device-code --tenant consumers\n  skydrive auth login --device-code --endpoint http://127.0.0.1:8080/v1.0\n  skydrive auth status\n  curl -s -d grant_type=password -d client_id=cli -d username=demo -d password=demo \\\n    http://127.0.0.1:8080/common/oauth2/v2.0/token | skydrive auth import\n  skydrive auth logout\n',
    );
  addGlobalOptions(
    auth
      .command('login')
      .description(
        'sign in and save the tokens and the sign-in settings in the profile (default: a browser on this machine)',
      )
      .option('--device-code', 'sign in on another device: print a code to enter at a web page')
      .option(
        '--client-id <id>',
        'application (client) id of your public client app (config client-id)',
      )
      .option(
        '--tenant <tenant>',
        'common, consumers, organizations, a tenant id or a domain (config tenant; default common)',
      )
      .option(
        '--auth-endpoint <url>',
        "identity platform base URL (config auth-endpoint; default https://login.microsoftonline.com, the emulator's is its own URL)",
      )
      .option(
        '--scopes <scopes>',
        'space-separated scopes (config scopes; default "Files.ReadWrite.All offline_access User.Read")',
      )
      .option('--no-browser', 'print the sign-in address instead of opening a browser')
      .addOption(
        new Option('--timeout <seconds>', 'how long to wait for the browser to return, in seconds')
          .argParser(positiveInteger('--timeout', 3600))
          .default(300),
      )
      .action((options: LoginOptions, cmd: Command) =>
        invoke(cmd, (context) => runLogin(options, context)),
      ),
  );
  addGlobalOptions(
    auth
      .command('status')
      .description(
        'show the account, endpoints, token expiry and scopes of the profile; sends no request',
      )
      .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => runStatus(context))),
  );
  addGlobalOptions(
    auth
      .command('refresh')
      .description('redeem the refresh token now and save the new tokens')
      .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => runRefresh(context))),
  );
  addGlobalOptions(
    auth
      .command('import')
      .description(
        'save a token response ({access_token, refresh_token?, expires_in?, scope?}) read from stdin',
      )
      .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => runImport(context))),
  );
  addGlobalOptions(
    auth
      .command('logout')
      .description("delete the profile's saved token")
      .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => runLogout(context))),
  );
  return auth;
}

export async function runImport(context: CommandContext): Promise<void> {
  const text = await readStdin(context.deps.stdin);
  const response = parseTokenResponse(text);

  const token: SavedToken = { accessToken: response.access_token };
  if (response.refresh_token !== undefined) {
    token.refreshToken = response.refresh_token;
  }
  if (response.expires_in !== undefined) {
    token.expiresAt = new Date(
      context.deps.now().getTime() + response.expires_in * 1000,
    ).toISOString();
  }
  if (response.scope !== undefined) {
    token.scope = response.scope;
  }
  // Saving the endpoint lets later commands find the service without config or env.
  const endpoint = context.options.endpoint ?? context.deps.env.SKYDRIVE_ENDPOINT;
  if (endpoint !== undefined && endpoint !== '') {
    token.endpoint = endpoint.replace(/\/+$/, '');
  }

  let file: string;
  try {
    file = tokenFilePath(context.profile);
    // Under the refresh lock, so a refresh running in another process cannot write the old token back.
    await withTokenLock(context.profile, () => saveToken(context.profile, token));
  } catch (error) {
    throw toCliError(error);
  }

  if (context.json) {
    context.printJson({
      profile: context.profile,
      file,
      expiresAt: token.expiresAt ?? null,
      scope: token.scope ?? null,
    });
    return;
  }
  const expiry = token.expiresAt === undefined ? '' : `, expires ${token.expiresAt.slice(0, 19)}Z`;
  context.note(`saved token for profile ${context.profile} in ${file}${expiry}`);
}

export async function runLogout(context: CommandContext): Promise<void> {
  let removed: boolean;
  try {
    // Under the lock, so a refresh in another process cannot write the tokens back.
    removed = await withTokenLock(context.profile, () => deleteToken(context.profile));
  } catch (error) {
    throw toCliError(error);
  }
  context.note(
    removed
      ? `removed the saved token of profile ${context.profile}`
      : `profile ${context.profile} had no saved token; nothing to remove`,
  );
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > MAX_INPUT_BYTES) {
      throw new CliError(
        `stdin has more than ${MAX_INPUT_BYTES} bytes; expected one token response in JSON`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseTokenResponse(text: string): TokenResponse {
  const hint = 'pipe the JSON answer of the token endpoint into: skydrive auth import';
  if (text.trim() === '') {
    throw new CliError(`no token response on stdin; ${hint}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`stdin is not valid JSON; ${hint}`);
  }
  const record = value as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null) {
    throw new CliError(`stdin is not a JSON object; ${hint}`);
  }
  if (typeof record.error === 'string') {
    const detail =
      typeof record.error_description === 'string'
        ? `: ${record.error_description.split('\n')[0]}`
        : '';
    throw new CliError(
      `the token endpoint returned an error (${record.error}${detail}); nothing was saved`,
    );
  }
  if (typeof record.access_token !== 'string' || record.access_token === '') {
    throw new CliError(`the JSON on stdin has no access_token; ${hint}`);
  }
  const expiresIn = record.expires_in;
  if (
    expiresIn !== undefined &&
    (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0)
  ) {
    throw new CliError('expires_in on stdin must be a number of seconds; nothing was saved');
  }
  return {
    access_token: record.access_token,
    ...(typeof record.refresh_token === 'string' ? { refresh_token: record.refresh_token } : {}),
    ...(typeof expiresIn === 'number' ? { expires_in: expiresIn } : {}),
    ...(typeof record.scope === 'string' ? { scope: record.scope } : {}),
  };
}
