/** The devnet gridproxy's sorting and paging of a filtered list, with its `count`/`size`/`pages` headers. */
import type { ServerResponse } from 'node:http';
import type { Limit } from './gridproxy-query.js';
import { HttpError, sendJson } from './gridproxy-reply.js';

/** Sorts (default field, or a `sort_by` among the type's sort fields), pages, and writes the count headers. */
export function page<T>(
  res: ServerResponse,
  items: T[],
  limit: Limit,
  typeName: string,
  keys: Record<string, (t: T) => number | string | boolean>,
  defaultKey: string,
  first?: (t: T) => number,
): void {
  if (limit.sortBy && !keys[limit.sortBy]) {
    throw new HttpError(400, `"${limit.sortBy}" is not a sort field for ${typeName} type`);
  }
  const key = keys[limit.sortBy || defaultKey]!;
  const tie = keys[defaultKey]!;
  const dir = /^desc$/i.test(limit.sortOrder) && limit.sortBy ? -1 : 1;
  const cmp = (a: number | string | boolean, b: number | string | boolean) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = limit.randomize
    ? items
        .map((t) => [Math.random(), t] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, t]) => t)
    : [...items].sort(
        (a, b) => (first ? first(a) - first(b) : 0) || dir * cmp(key(a), key(b)) || cmp(tie(a), tie(b)),
      );
  const start = (limit.page - 1) * limit.size;
  const headers: Record<string, string> = {};
  if (limit.retCount) {
    headers.count = String(items.length);
    headers.size = String(limit.size);
    headers.pages = String(Math.ceil(items.length / limit.size));
  }
  sendJson(res, 200, sorted.slice(start, start + limit.size), headers);
}
