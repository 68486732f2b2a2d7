/**
 * In-page questions, in place of `prompt()` and `confirm()`: Electron's `prompt` throws
 * (electron/electron#472) and its `confirm` is synchronous, blocking the renderer while it is open.
 * Both forms answer from the keyboard: Enter submits, Escape cancels.
 */
import { h } from '../dom.js';

/** A text field with Save and Cancel. `onSave` gets the trimmed value. */
export function askText(o: {
  label: string;
  value: string;
  saveLabel: string;
  onSave: (value: string) => void;
  onCancel: () => void;
}): HTMLFormElement {
  const input = h('input', { class: 'ask-input', value: o.value, required: true, maxlength: 64 });
  input.setAttribute('aria-label', o.label);
  const form = h(
    'form',
    {
      class: 'ask row',
      autocomplete: 'off',
      onsubmit: (e) => {
        e.preventDefault();
        o.onSave(input.value.trim());
      },
      onkeydown: (e) => escape(e as KeyboardEvent, o.onCancel),
    },
    input,
    h('button', { type: 'submit', class: 'primary', 'aria-label': o.saveLabel }, 'Save'),
    h('button', { type: 'button', onclick: o.onCancel }, 'Cancel'),
  );
  return form;
}

/** A question with a Yes button (it does the thing) and a No button (the default: it has the focus). */
export function askYesNo(o: {
  question: string;
  yes: string;
  no: string;
  onYes: () => void;
  onNo: () => void;
}): HTMLFormElement {
  return h(
    'form',
    {
      class: 'ask',
      role: 'alertdialog',
      'aria-label': o.question,
      onsubmit: (e) => {
        e.preventDefault();
        o.onYes();
      },
      onkeydown: (e) => escape(e as KeyboardEvent, o.onNo),
    },
    h('p', { class: 'warning' }, o.question),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', class: 'ask-no', onclick: o.onNo }, o.no),
      h('button', { type: 'submit', class: 'danger' }, o.yes),
    ),
  );
}

function escape(e: KeyboardEvent, cancel: () => void): void {
  if (e.key !== 'Escape') return;
  e.preventDefault();
  cancel();
}

/** Focuses a just-rendered question: the text field (its text selected), else the No button. */
export function focusQuestion(form: Element | null): void {
  const input = form?.querySelector<HTMLInputElement>('.ask-input');
  if (input) {
    input.focus();
    input.select();
  } else form?.querySelector<HTMLButtonElement>('.ask-no')?.focus();
}
