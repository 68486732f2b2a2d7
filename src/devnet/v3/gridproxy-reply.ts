/** How the devnet gridproxy answers: gridproxy's JSON body, headers and `{"error": "..."}` failures. */
import type { ServerResponse } from 'node:http';

/** A failure with the HTTP status it is answered with (anything else thrown is a 500). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Go's json.Encoder ends the body with a newline; gridproxy allows any origin and exposes its headers.
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': '*',
    ...headers,
  });
  res.end(text);
}
