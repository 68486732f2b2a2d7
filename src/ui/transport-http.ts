/** The contract over the loopback web host: POST /api/call/<name> with the token in a Bearer header,
 * events by server-sent events. The token came in the page's address and lives only in this page. */
import { CALL_NAMES, type OverlayApi, type Result, type UiEvent } from '../contract/api.js';

export function httpTransport(token: string): OverlayApi {
  const listeners = new Set<(e: UiEvent) => void>();
  let source: EventSource | undefined;
  const api = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      async (arg: unknown): Promise<Result<unknown>> => {
        try {
          const res = await fetch(`/api/call/${name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ arg }),
          });
          return (await res.json()) as Result<unknown>;
        } catch (e) {
          return {
            ok: false,
            error: `The overlay-connect service does not answer (${(e as Error).message})`,
          };
        }
      },
    ]),
  ) as unknown as OverlayApi;
  api.onEvent = (listener) => {
    listeners.add(listener);
    source ??= new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as UiEvent;
      for (const l of listeners) l(e);
    };
    return () => listeners.delete(listener);
  };
  return api;
}
