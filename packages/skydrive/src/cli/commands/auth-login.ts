import {
  DEFAULT_SCOPES,
  DEFAULT_SIGN_IN_TIMEOUT_MS,
  type DeviceCodePrompt,
  type SavedToken,
  SignInError,
  SkydriveError,
  saveToken,
  signInWithAuthCode,
  signInWithDeviceCode,
  tokenFilePath,
  withTokenLock,
} from '../../index.js';
import { readConfig, writeConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { openBrowser } from './auth-browser.js';
import {
  resolveSignInTarget,
  type SignInFlags,
  type SignInTarget,
  transportFor,
} from './auth-profile.js';

/** Options of `auth login`. */
export interface LoginOptions extends SignInFlags {
  deviceCode?: boolean;
  /** False with --no-browser. */
  browser?: boolean;
  /** Seconds to wait for the browser's redirect. */
  timeout?: number;
}

export async function runLogin(options: LoginOptions, context: CommandContext): Promise<void> {
  const target = await resolveSignInTarget(context, options);

  let token: SavedToken;
  try {
    token =
      options.deviceCode === true
        ? await deviceCodeLogin(target, context)
        : await browserLogin(target, options, context);
  } catch (error) {
    throw signInFailure(error, options.deviceCode === true);
  }
  token.endpoint = target.endpoint;
  const account = await readAccount(target.endpoint, token.accessToken, context);
  if (account !== undefined) {
    token.account = account;
  }

  try {
    await withTokenLock(context.profile, () => saveToken(context.profile, token));
    await rememberProfile(target, context);
  } catch (error) {
    throw toCliError(error);
  }
  report(token, target, context);
  if ((context.deps.env.SKYDRIVE_TOKEN ?? '') !== '') {
    context.warn('SKYDRIVE_TOKEN is set, so commands use it instead of this sign-in; unset it');
  }
}

async function browserLogin(
  target: SignInTarget,
  options: LoginOptions,
  context: CommandContext,
): Promise<SavedToken> {
  const timeoutMs = (options.timeout ?? DEFAULT_SIGN_IN_TIMEOUT_MS / 1000) * 1000;
  return signInWithAuthCode({
    settings: target.settings,
    transport: transportFor(context),
    timeoutMs,
    ...(context.deps.signal === undefined ? {} : { signal: context.deps.signal }),
    onAuthorizationUrl: async (url) => {
      const opened = options.browser !== false && (await openBrowser(url, context.deps.env));
      const waiting = `waiting up to ${Math.round(timeoutMs / 1000)} s for the sign-in to finish`;
      context.deps.stderr.write(
        opened
          ? `opened the sign-in page in the browser; if it did not appear, open:\n  ${url}\n${waiting}\n`
          : `open this address in a browser to sign in:\n  ${url}\n${waiting}\n`,
      );
    },
  });
}

async function deviceCodeLogin(target: SignInTarget, context: CommandContext): Promise<SavedToken> {
  return signInWithDeviceCode({
    settings: target.settings,
    transport: transportFor(context),
    ...(context.deps.signal === undefined ? {} : { signal: context.deps.signal }),
    onPrompt: (prompt: DeviceCodePrompt) => {
      if (context.json) {
        context.printJson({
          userCode: prompt.userCode,
          verificationUri: prompt.verificationUri,
          expiresIn: prompt.expiresIn,
          message: prompt.message,
        });
        return;
      }
      context.deps.stderr.write(`${prompt.message}\n`);
    },
    onPoll: ({ waitSeconds, slowDown }) => {
      if (context.options.debug === true) {
        const why = slowDown ? ' (the platform asked to slow down)' : '';
        context.deps.stderr.write(`debug: next poll in ${waitSeconds} s${why}\n`);
      }
    },
  });
}

/** Read the account's sign-in name from Graph `/me`; a failure only costs the name. */
async function readAccount(
  endpoint: string,
  accessToken: string,
  context: CommandContext,
): Promise<string | undefined> {
  try {
    const drive = await context.deps.openDrive({ endpoint, accessToken, retry: { limit: 1 } });
    try {
      const user = await drive.user();
      return user.userPrincipalName ?? user.mail ?? user.displayName ?? undefined;
    } finally {
      await drive.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    context.warn(`signed in, but reading the account from ${endpoint}/me failed: ${reason}`);
    return undefined;
  }
}

/** Save the target in config.yaml, so later commands of the profile need no flags. */
async function rememberProfile(target: SignInTarget, context: CommandContext): Promise<void> {
  const file = context.configFile();
  const config = await readConfig(file);
  const profile = config.profiles[context.profile] ?? {};
  profile.endpoint = target.endpoint;
  profile.authEndpoint = target.settings.authEndpoint;
  profile.tenant = target.settings.tenant;
  profile.clientId = target.settings.clientId;
  if (target.settings.scopes !== DEFAULT_SCOPES) {
    profile.scopes = target.settings.scopes;
  } else {
    delete profile.scopes;
  }
  config.profiles[context.profile] = profile;
  await writeConfig(file, config);
}

function report(token: SavedToken, target: SignInTarget, context: CommandContext): void {
  if (context.json) {
    context.printJson({
      profile: context.profile,
      account: token.account ?? null,
      endpoint: target.endpoint,
      authEndpoint: target.settings.authEndpoint,
      tenant: target.settings.tenant,
      expiresAt: token.expiresAt ?? null,
      scope: token.scope ?? null,
      file: tokenFilePath(context.profile),
    });
    return;
  }
  const who = token.account === undefined ? '' : ` as ${token.account}`;
  const expiry =
    token.expiresAt === undefined ? '' : `; token expires ${token.expiresAt.slice(0, 19)}Z`;
  context.note(`signed in${who} (profile ${context.profile})${expiry}`);
}

/** Turn a failed sign-in into the CLI's message, naming what happened and what to run next. */
function signInFailure(error: unknown, deviceCode: boolean): CliError {
  const again = deviceCode ? 'skydrive auth login --device-code' : 'skydrive auth login';
  if (!(error instanceof SkydriveError)) {
    return toCliError(error);
  }
  const oauthError = error instanceof SignInError ? error.oauthError : undefined;
  switch (oauthError) {
    case 'access_denied':
      return new CliError(
        `sign-in failed: access was denied on the consent page (access_denied); to try again run: ${again}`,
      );
    case 'authorization_declined':
      return new CliError(
        `sign-in failed: the code was declined on the device login page (authorization_declined); to try again run: ${again}`,
      );
    case 'expired_token':
      return new CliError(
        `sign-in failed: ${error.message.replace(/^device code sign-in expired: /, '')}; to try again run: ${again}`,
      );
    case 'invalid_state':
      return new CliError(
        `sign-in failed: the browser returned a redirect that belongs to another sign-in (state mismatch); to try again run: ${again}`,
      );
    default:
      break;
  }
  switch (error.code) {
    case 'TIMEOUT':
      return new CliError(
        `${error.message}; to try again run: ${again}, or use --device-code where no browser can reach this machine`,
      );
    case 'ABORTED':
      return new CliError('sign-in cancelled', 2);
    case 'INVALID_ARGUMENT':
      return new CliError(error.message, 2);
    case 'NETWORK_ERROR':
      return new CliError(`${error.message}; check --auth-endpoint and the network`);
    default:
      return new CliError(error.message);
  }
}
