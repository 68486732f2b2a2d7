/**
 * Where the host's own files are. The app runs the bundle `dist/main.js` (packaged: inside the asar), so
 * everything is found from the bundle's folder: the preload and the renderer beside it, the assets one up.
 * This module's `import.meta.url` is the bundle's once built; run from source (tests that replace one of the
 * host's modules) it is src/electron/, where none of these exist, and such a test says where the built
 * ones are.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppFiles {
  /** The sandboxed preload (CommonJS, as sandboxed preloads must be). */
  preload: string;
  /** The renderer's folder, served over the app's scheme. */
  renderer: string;
  /** assets/: the window and notification icon, the tray's images. */
  assets: string;
}

export function appFiles(): AppFiles {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return {
    preload: join(here, 'preload.cjs'),
    renderer: join(here, 'renderer'),
    // Packaged, electron-builder.yml puts assets/ beside dist/ in the asar: the same relative place.
    assets: join(here, '..', 'assets'),
  };
}
