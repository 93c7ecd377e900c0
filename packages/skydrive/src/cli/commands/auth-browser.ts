import { spawn } from 'node:child_process';

/**
 * Open a URL in the system browser. Returns false when there is none to
 * open: no graphical session on Linux, or the opener could not be started.
 * `BROWSER` names the program to use, as many Unix tools accept.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = browserCommand(url, env);
  if (command === undefined) {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    try {
      const child = spawn(command.file, command.args, { stdio: 'ignore', detached: true, env });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv,
): { file: string; args: string[] } | undefined {
  const chosen = env.BROWSER?.trim();
  if (chosen !== undefined && chosen !== '') {
    return { file: chosen, args: [url] };
  }
  switch (process.platform) {
    case 'darwin':
      return { file: 'open', args: [url] };
    case 'win32':
      // rundll32 takes the URL as one argument; `start` would need cmd.exe and its quoting of '&'.
      return { file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
    default:
      if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
        return undefined;
      }
      return { file: 'xdg-open', args: [url] };
  }
}
