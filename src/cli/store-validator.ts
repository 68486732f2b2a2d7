/**
 * The store's schema check as conf makes it (Conf's setupValidator: ajv's 2020 dialect, allErrors,
 * useDefaults, ajv-formats, the schema as the properties of an object), with the ajv conf itself uses.
 *
 * Run from source (tests), this compiles it on first use. The CLI bundle does not ship this code:
 * scripts/build.mjs puts in its place the same validator compiled at build time (ajv's standalone code),
 * so reading the store in the CLI loads no ajv and compiles nothing.
 */
import { createRequire } from 'node:module';
import { STORE_SCHEMA } from '../core/store/schema.js';

export type StoreValidator = (data: unknown) => boolean;

export const STORE_AJV_OPTIONS = { allErrors: true, useDefaults: true } as const;
export const STORE_ROOT_SCHEMA = { type: 'object', properties: STORE_SCHEMA } as const;

interface AjvLike {
  compile(schema: object): StoreValidator;
}

let compiled: StoreValidator | undefined;

/** Undefined would mean no validator here: callers then open the store through conf. */
export function storeValidator(): StoreValidator | undefined {
  if (!compiled) {
    const fromConf = createRequire(createRequire(import.meta.url).resolve('conf'));
    const { Ajv2020 } = fromConf('ajv/dist/2020.js') as { Ajv2020: new (o: object) => AjvLike };
    const formats = fromConf('ajv-formats') as { default: (ajv: AjvLike) => void };
    const ajv = new Ajv2020(STORE_AJV_OPTIONS);
    formats.default(ajv);
    compiled = ajv.compile(STORE_ROOT_SCHEMA);
  }
  return compiled;
}
