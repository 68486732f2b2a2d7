/**
 * The renderer is served over a custom, privileged scheme (`overlay://app/…`) instead of file://: a page
 * on file:// may read other local files and shares its origin with every file on the disk, while this
 * origin holds our renderer's files and nothing else (Electron's security checklist, "use a custom
 * protocol").
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'overlay';
export const RENDERER_URL = `${APP_SCHEME}://app/index.html`;

/** Registered before `ready`: a standard, secure origin (like https) so CSP 'self' and storage work. */
export const SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true } };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves a file of the renderer folder; anything else (another host, a path out of the folder, a method
 * other than GET) is a 404. */
export async function serveRenderer(rendererDir: string, request: Request): Promise<Response> {
  const notFound = () =>
    new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  if (request.method !== 'GET') return notFound();
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return notFound();
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== 'app') return notFound();
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return notFound();
  }
  const file = normalize(join(rendererDir, path));
  if (!file.startsWith(normalize(rendererDir) + sep) || !TYPES[extname(file)]) return notFound();
  try {
    return new Response(await readFile(file), {
      status: 200,
      headers: { 'content-type': TYPES[extname(file)]! },
    });
  } catch {
    return notFound();
  }
}
