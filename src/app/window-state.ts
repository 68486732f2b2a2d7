/** Where the window reopens: its last bounds if they are still on a screen, else centred on the primary. */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 980, height: 700 };
const MIN = { width: 640, height: 420 };

/** A remembered rectangle, kept only if at least 100×50 px of it show on one of the displays now. */
export function restoreBounds(
  saved: Partial<Rect> | undefined,
  displays: readonly Rect[],
): Rect | { width: number; height: number } {
  if (!saved || ![saved.x, saved.y, saved.width, saved.height].every((v) => Number.isFinite(v)))
    return DEFAULT_SIZE;
  const r = {
    x: saved.x!,
    y: saved.y!,
    width: Math.max(MIN.width, saved.width!),
    height: Math.max(MIN.height, saved.height!),
  };
  const visible = displays.some((d) => {
    const w = Math.min(r.x + r.width, d.x + d.width) - Math.max(r.x, d.x);
    const h = Math.min(r.y + r.height, d.y + d.height) - Math.max(r.y, d.y);
    return w >= 100 && h >= 50;
  });
  return visible ? r : { width: r.width, height: r.height };
}
