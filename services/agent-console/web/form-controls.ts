// Controls the directory admin's forms share: tables of rows to add and remove, groups of
// checkboxes, and lists of the directory's entries to choose from.
import type { Context } from './context.js';
import { h, replace } from './dom.js';

/** A directory entry as lists show it. */
export type Named = { id: string; name: string };

/** The directory's entries of a kind with their display names, for lists to choose from. */
export async function namedEntries(
  context: Context,
  kind: string,
  payloadField: string,
): Promise<Named[]> {
  const records = await context.api.get<Array<Record<string, unknown> & { id: string }>>(
    `/directory/${kind}`,
  );
  return records.map((record) => {
    const payload = record[payloadField] as { name?: string } | undefined;
    return { id: record.id, name: payload?.name || record.id };
  });
}

/** Checkboxes of entries in a labelled group; an id the list lacks (since removed) stays ticked. */
export function checkboxes(legend: string, entries: Named[]) {
  const group = h('div', { class: 'checks' });
  const box = (entry: Named, checked = false) =>
    h('label', {}, h('input', { type: 'checkbox', value: entry.id, checked }), ` ${entry.name}`);
  const inputs = () => [...group.querySelectorAll('input')];
  return {
    element: h('fieldset', { class: 'choices' }, h('legend', {}, legend), group),
    set(ids: string[]) {
      replace(group, [
        ...entries.map((entry) => box(entry, ids.includes(entry.id))),
        ...ids
          .filter((id) => !entries.some((entry) => entry.id === id))
          .map((id) => box({ id, name: id }, true)),
      ]);
    },
    values: () =>
      inputs()
        .filter((input) => input.checked)
        .map((input) => input.value),
  };
}

/** Keeps a value the lists lack (an entry since removed) choosable, so saving does not drop it. */
export function choose(control: HTMLSelectElement, value: string): void {
  if (![...control.options].some((option) => option.value === value))
    control.append(h('option', { value }, value));
  control.value = value;
}

/** A table of rows the admin adds and removes; every control is labelled with its row. */
interface Rows<T> {
  element: HTMLElement;
  set(values: T[]): void;
  values(): T[];
}

/** What a table of rows says: its add button, each row's name, cell labels, remove buttons. */
export interface RowTexts {
  add: string;
  row(index: number): string;
  cell(column: string, row: string): string;
  remove(row: string): string;
}

/** One row's controls, and how to read them back. */
interface Row<T> {
  cells: HTMLElement[];
  read(): T;
}

export function rows<T>(
  texts: RowTexts,
  legend: string,
  columns: string[],
  blank: () => T,
  makeRow: (value: T, label: (column: string) => string) => Row<T>,
): Rows<T> {
  const body = h('tbody');
  const add = h('button', { type: 'button' }, texts.add);
  let current: Array<Row<T>> = [];
  const values = () => current.map((row) => row.read());
  const set = (next: T[]) => {
    current = next.map((value, index) => {
      const name = texts.row(index + 1);
      const row = makeRow(value, (column) => texts.cell(column, name));
      const remove = h(
        'button',
        { type: 'button', onclick: () => removeRow(index) },
        texts.remove(name),
      );
      return { ...row, cells: [...row.cells, remove] };
    });
    replace(
      body,
      current.map((row) =>
        h(
          'tr',
          {},
          row.cells.map((cell) => h('td', {}, cell)),
        ),
      ),
    );
  };
  // The focus stays in the table: on the new row, or where the removed one was.
  const focusRow = (index: number) => (current[index]?.cells[0] ?? add).focus();
  const removeRow = (index: number) => {
    set(values().filter((_, at) => at !== index));
    focusRow(Math.min(index, current.length - 1));
  };
  add.addEventListener('click', () => {
    set([...values(), blank()]);
    focusRow(current.length - 1);
  });
  const element = h(
    'fieldset',
    { class: 'rows' },
    h('legend', {}, legend),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [...columns, ''].map((column) => h('th', { scope: 'col' }, column)),
        ),
      ),
      body,
    ),
    add,
  );
  return { element, set, values };
}
