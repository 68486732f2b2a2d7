/**
 * gridproxy's HTTP leg: one GET with a timeout, no redirects, and a body refused (and cancelled) as soon as it
 * passes its size cap, since the index is run by someone else. Whatever goes wrong becomes a GridproxyError
 * naming the path and the HTTP status, never a TypeError from deep inside a parser.
 */
import { BodyTooLarge, readBounded } from './bounded-body.js';

export type GridproxyErrorKind =
  'http' | 'timeout' | 'network' | 'too-large' | 'not-json' | 'bad-reply' | 'bad-query';

export class GridproxyError extends Error {
  override readonly name = 'GridproxyError';
  constructor(
    readonly kind: GridproxyErrorKind,
    /** Path and query of the request, e.g. `/nodes?twin_id=7` (no secret ever goes into a gridproxy query). */
    readonly path: string,
    /** The HTTP status, when there was a reply. */
    readonly status: number | undefined,
    message: string,
  ) {
    super(`gridproxy GET ${path}${status === undefined ? '' : `: HTTP ${status}`}: ${message}`);
  }
}

export type Params = Record<string, string>;

export interface FetchSettings {
  baseUrl: string;
  timeoutMs: number;
  maxBytes: number;
  /** Cancels every request of the client (the app quitting). */
  signal: AbortSignal | undefined;
}

/** GET and parse JSON; null on a 404 when `nullOn404`, a GridproxyError for every other failure. */
export async function getJson(
  s: FetchSettings,
  path: string,
  params: Params,
  nullOn404: boolean,
): Promise<{ body: unknown; headers: Headers } | null> {
  const where = withQuery(path, params);
  const url = s.baseUrl + where;
  const timeout = AbortSignal.timeout(s.timeoutMs);
  const signal = s.signal ? AbortSignal.any([timeout, s.signal]) : timeout;
  let res: Response;
  try {
    // No redirect: an index that bounces us elsewhere is not the index we were given.
    res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
  } catch (e) {
    throw transportError(e, where, timeout, s.timeoutMs);
  }
  let text: string;
  try {
    text = await readBounded(res, s.maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      throw new GridproxyError(
        'too-large',
        where,
        res.status,
        `the reply is larger than ${s.maxBytes} bytes`,
      );
    }
    throw transportError(e, where, timeout, s.timeoutMs);
  }
  if (res.status === 404 && nullOn404) return null;
  if (res.status !== 200) {
    throw new GridproxyError(
      'http',
      where,
      res.status,
      errorText(text) ?? (res.statusText || 'request failed'),
    );
  }
  try {
    return { body: JSON.parse(text) as unknown, headers: res.headers };
  } catch {
    throw new GridproxyError(
      'not-json',
      where,
      res.status,
      `the reply is not JSON (${JSON.stringify(text.slice(0, 40))})`,
    );
  }
}

/** gridproxy answers failures with `{"error": "..."}` (its `mw.AsHandlerFunc`); keep one short line of it. */
function errorText(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && typeof (v as { error?: unknown }).error === 'string') {
      return oneLine((v as { error: string }).error);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim() ? oneLine(text) : undefined;
}

function oneLine(s: string): string {
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function transportError(e: unknown, where: string, timeout: AbortSignal, ms: number): GridproxyError {
  if (timeout.aborted) return new GridproxyError('timeout', where, undefined, `no reply within ${ms} ms`);
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'AbortError') return new GridproxyError('timeout', where, undefined, 'cancelled');
  const cause = err?.cause?.code ?? err?.cause?.message;
  return new GridproxyError(
    'network',
    where,
    undefined,
    oneLine(`${err?.message ?? String(e)}${cause ? ` (${cause})` : ''}`),
  );
}

export function withQuery(path: string, params: Params): string {
  const qs = new URLSearchParams(params).toString();
  return qs ? `${path}?${qs}` : path;
}
