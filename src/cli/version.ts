/** The version the CLI, the helper and the app report. */
export const VERSION = '0.1.0';
