// Opens a URL in the user's web browser (create --web), as gh does: $BROWSER if set, else the platform's opener.
import { spawn } from 'node:child_process';

/**
 * The command that opens `url`: $BROWSER (a command and its arguments, split at white space) or the platform's
 * opener. On Windows, rundll32's URL handler: `cmd /c start` would read `&` in a URL's query as a command separator.
 */
export function browserCommand(env: NodeJS.ProcessEnv, url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  const words = (env.BROWSER ?? '').trim().split(/\s+/).filter((w) => w !== '');
  if (words.length > 0) return [words[0]!, [...words.slice(1), url]];
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Starts the browser on `url` without waiting for it (a browser started from a terminal may run for hours);
 * resolves with what went wrong, or undefined once the command is started. Only http(s) URLs are opened:
 * the URL comes from the gateway's answer, and a `file:` or `javascript:` one is nothing to hand a browser.
 */
export function openInBrowser(env: NodeJS.ProcessEnv, url: string): Promise<string | undefined> {
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) return Promise.resolve('it is not an http(s) URL');
  // The parsed form: spaces, quotes and other bytes a browser launcher (xdg-open is a shell script) could
  // trip on are percent-encoded.
  const [command, args] = browserCommand(env, new URL(url).href);
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', env });
    child.once('error', (err: NodeJS.ErrnoException) => resolve(`${command}: ${err.code === 'ENOENT' ? 'not found' : err.message}${env.BROWSER ? ' (from BROWSER)' : ''}`));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}
