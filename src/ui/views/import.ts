/** Importing a config (typed, chosen or dropped) or a .zip of them, checked before it is imported. */
import { ARCHIVE_MAX_BYTES, ARCHIVE_TOO_LARGE, CONFIG_MAX_CHARS } from '../../contract/limits.js';
import { $, api, call, loadTunnels, showError, showIssues, showNote } from '../context.js';
import { h } from '../dom.js';

const text = () => $<HTMLTextAreaElement>('import-text');
const name = () => $<HTMLInputElement>('import-name');

async function takeFile(file: File): Promise<void> {
  if (/\.zip$/i.test(file.name)) {
    if (file.size > ARCHIVE_MAX_BYTES) return showError(`${file.name}: ${ARCHIVE_TOO_LARGE}`);
    const b64 = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
      r.readAsDataURL(file);
    });
    const results = await call(api.importArchive({ zipBase64: b64 }));
    if (results)
      $('import-result').replaceChildren(
        ...results.map((x) =>
          h('li', { class: x.ok ? 'ok' : 'error' }, x.ok ? `Imported “${x.name}”` : `${x.name}: ${x.error}`),
        ),
      );
    return loadTunnels();
  }
  if (file.size > CONFIG_MAX_CHARS) return showError(`${file.name} is too large to be a WireGuard config`);
  text().value = await file.text();
  if (!name().value) name().value = file.name.replace(/\.conf$/i, '');
  await checkImport();
}

async function checkImport(): Promise<boolean> {
  const v = await call(api.checkConfig({ text: text().value }));
  if (!v) return false;
  const list = $('import-result');
  showIssues(list, v, 'wg-quick would accept this config');
  list.append(
    ...v.scripts.map((s) =>
      h(
        'li',
        { class: 'warning script-hook' },
        `Line ${s.line}: ${s.key} runs “${s.command}” as root. It will not run unless you allow scripts for this tunnel.`,
      ),
    ),
  );
  return v.valid;
}

async function importIt(): Promise<void> {
  if (!(await checkImport())) return;
  const r = await call(api.importConfig({ name: name().value, text: text().value }));
  if (!r) return;
  showNote(`Imported “${r.tunnel.name}” (interface ${r.tunnel.interface})`);
  text().value = '';
  await loadTunnels();
}

export function mountImport(): void {
  $<HTMLInputElement>('import-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await takeFile(file);
  });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) await takeFile(file);
  });
  $('import-check').addEventListener('click', () => void checkImport());
  $('import').addEventListener('submit', (e) => {
    e.preventDefault();
    void importIt();
  });
}
