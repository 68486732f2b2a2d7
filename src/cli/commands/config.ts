import { checkConfigFile } from '../../core/wgconf/check.js';
import type { CommandRun } from '../command.js';

export const configCheck: CommandRun = async (ctx, [file]) => {
  const result = await checkConfigFile(file!);
  if (ctx.json) {
    ctx.printJson(result);
  } else {
    for (const e of result.errors) ctx.out(`${file}:${e.line}: error: ${e.message}`);
    for (const w of result.warnings) ctx.out(`${file}:${w.line}: warning: ${w.message}`);
    for (const s of result.scripts)
      ctx.out(`${file}:${s.line}: script: ${s.key} = ${s.command} (runs as root; blocked unless allowed)`);
    ctx.out(
      result.valid
        ? `${file}: valid`
        : `${file}: invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})`,
    );
  }
  return result.valid ? 0 : 1;
};
