/**
 * A gridproxy list reply made into a Page: the elements beyond the page size are dropped, each element is
 * parsed and checked against the query, and a malformed or unasked-for element is skipped with a warning
 * rather than failing the whole list.
 */
import { GridproxyError, withQuery } from './gridproxy-fetch.js';
import type { ListRequest } from './gridproxy-queries.js';

/** gridproxy's page size when `size` is not given (`types.DefaultLimit`). */
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  /** The `count` header (the total matching the filter, across pages); null unless `retCount` was asked. */
  count: number | null;
  /** One line per skipped element or doubtful header: the reply's faults, for the log or the UI. */
  warnings: string[];
}

export function toPage<T>(
  r: { body: unknown; headers: Headers } | null,
  { path, params, parseOne, want, label }: ListRequest<T>,
): Page<T> {
  const where = withQuery(path, params);
  if (!r) throw new GridproxyError('http', where, 404, 'not found');
  if (!Array.isArray(r.body))
    throw new GridproxyError('bad-reply', where, 200, 'the reply is not a JSON list');
  const warnings: string[] = [];
  const size = Number(params.size ?? DEFAULT_PAGE_SIZE);
  let elements: unknown[] = r.body;
  if (elements.length > size) {
    warnings.push(
      `${path}: the reply has ${elements.length} elements for a page of ${size}; kept the first ${size}`,
    );
    elements = elements.slice(0, size);
  }
  const items: T[] = [];
  elements.forEach((el, i) => {
    const parsed = parseOne(el);
    if (!parsed.ok) {
      warnings.push(`${path}[${i}] skipped: ${parsed.reason}`);
      return;
    }
    const why = want(parsed.value);
    if (why) warnings.push(`${path}[${i}] skipped (${label(parsed.value)}): ${why}`);
    else items.push(parsed.value);
  });
  let count: number | null = null;
  if (params.ret_count === 'true') {
    const h = r.headers.get('count');
    if (h !== null && /^\d{1,15}$/.test(h.trim())) count = Number(h.trim());
    else
      warnings.push(
        `${path}: the count header is ${h === null ? 'missing' : `not a number (${JSON.stringify(h.slice(0, 20))})`}`,
      );
  }
  return { items, count, warnings };
}
