import type { Command } from 'commander';
import { deleteToken, type SavedToken, saveToken, tokenFilePath } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';

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
    .summary('store or remove the saved token')
    .description(
      "Manage the token saved for a profile. 'auth import' reads a token endpoint's JSON response on stdin and saves it; 'auth logout' deletes it. Tokens are never printed.",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  curl -s -d grant_type=password -d client_id=cli -d username=demo -d password=demo \\\n    http://127.0.0.1:8080/common/oauth2/v2.0/token | skydrive auth import\n  skydrive auth logout\n',
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
    await saveToken(context.profile, token);
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
  try {
    await deleteToken(context.profile);
  } catch (error) {
    throw toCliError(error);
  }
  context.note(`removed the saved token of profile ${context.profile}`);
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
