/**
 * The size limits of the contract's arguments, defined once for every transport: Electron IPC and the
 * loopback web host enforce these and answer the same words when they refuse (see `sizeRefusal` in
 * api.ts). What is inside an archive is bounded by the zip reader (src/core/wgconf/zip-configs.ts:
 * 200 entries, 1 MiB each after inflating), which runs behind the contract, the same for every transport.
 * Plain constants only: the renderer bundles this file too.
 */

const MiB = 1 << 20;

/** A config's text, in UTF-16 code units (as `String.length` counts): an imported file is at most 1 MiB. */
export const CONFIG_MAX_CHARS = MiB;
/** A .zip of configs, in bytes. */
export const ARCHIVE_MAX_BYTES = 6 * MiB;
/** The same archive as the contract carries it: base64 (4 characters for every 3 bytes, padded). */
export const ARCHIVE_MAX_BASE64 = 4 * Math.ceil(ARCHIVE_MAX_BYTES / 3);

export const CONFIG_TOO_LARGE = `The config is too large: at most ${CONFIG_MAX_CHARS / MiB} MiB`;
export const ARCHIVE_TOO_LARGE = `The archive is too large: at most ${ARCHIVE_MAX_BYTES / MiB} MiB`;

/**
 * The largest HTTP body the web host reads for a call: it admits every argument the contract admits, as
 * the page's JSON.stringify writes it. An archive's base64 is copied as is (no character of it is escaped);
 * a config's text may grow sixfold (a control character or lone surrogate becomes `\uXXXX`). The rest
 * (names, keys, the JSON around them) fits in the margin.
 */
export const HTTP_BODY_MAX = Math.max(ARCHIVE_MAX_BASE64, 6 * CONFIG_MAX_CHARS) + 64 * 1024;
