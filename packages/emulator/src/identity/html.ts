import type { ServerResponse } from 'node:http';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Sends a small self-contained HTML page; it must never be cached or framed. */
export function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}label,select,input,button{display:block;margin:.5em 0}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(page),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  });
  res.end(page);
}

/** Builds a `<select name="username">` listing the emulator's users. */
export function userSelect(usernames: readonly string[]): string {
  const options = usernames
    .map((name) => `<option value="${escapeHtml(name)}">${escapeHtml(name)}</option>`)
    .join('');
  return `<label for="username">Account</label><select id="username" name="username">${options}</select>`;
}
