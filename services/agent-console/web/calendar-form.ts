import type { EntryForm } from './admin.js';
import { field, h, replace, select } from './dom.js';
import { language, t } from './i18n.js';
import {
  calendarDraft,
  checkCalendar,
  runsPastMidnight,
  type CalendarDraft,
} from './admin-logic.js';

/** A table of rows the admin adds and removes; every control is labelled with its row. */
interface Rows<T> {
  element: HTMLElement;
  set(values: T[]): void;
  values(): T[];
}

/** One row's controls, and how to read them back. */
interface Row<T> {
  cells: HTMLElement[];
  read(): T;
}

function rows<T>(
  table: 'weekly' | 'holiday' | 'special',
  legend: string,
  columns: string[],
  blank: () => T,
  makeRow: (value: T, label: (column: string) => string) => Row<T>,
): Rows<T> {
  const body = h('tbody');
  const add = h('button', { type: 'button' }, t(`calendar.${table}.add`));
  let current: Array<Row<T>> = [];
  const values = () => current.map((row) => row.read());
  const set = (next: T[]) => {
    current = next.map((value, index) => {
      const name = t(`calendar.${table}.row`, { row: index + 1 });
      const row = makeRow(value, (column) => t('calendar.cell', { column, row: name }));
      const remove = h(
        'button',
        { type: 'button', onclick: () => removeRow(index) },
        t('calendar.remove', { row: name }),
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

/** Monday…Sunday in the console's language, as ISO numbers them (1–7). */
function weekdays(): Array<[string, string]> {
  const format = new Intl.DateTimeFormat(language(), { weekday: 'long', timeZone: 'UTC' });
  return Array.from({ length: 7 }, (_, index) => {
    const name = format.format(Date.UTC(2024, 0, 1 + index)); // 1 January 2024 was a Monday
    return [String(index + 1), name.charAt(0).toLocaleUpperCase() + name.slice(1)];
  });
}

/** Opening and closing time inputs, and a note that appears when the stretch runs past midnight. */
function stretchCells(
  opens: string,
  closes: string,
  label: (column: string) => string,
): { cells: HTMLElement[]; opens: HTMLInputElement; closes: HTMLInputElement } {
  const open = h('input', { type: 'time', value: opens, 'aria-label': label(t('calendar.opens')) });
  const close = h('input', {
    type: 'time',
    value: closes,
    'aria-label': label(t('calendar.closes')),
  });
  const note = h('span', { class: 'past-midnight' });
  const update = () => {
    note.textContent = runsPastMidnight(open.value, close.value) ? t('calendar.pastMidnight') : '';
  };
  open.addEventListener('input', update);
  close.addEventListener('input', update);
  update();
  return { cells: [open, close, note], opens: open, closes: close };
}

/** Business hours as a form: time zone, weekly stretches, holidays and special working days. */
export function calendarForm(): EntryForm {
  const name = h('input', {});
  const zones = h(
    'datalist',
    { id: 'calendar-time-zones' },
    Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })),
  );
  const timeZone = h('input', { list: 'calendar-time-zones', autocomplete: 'off' });
  const days = weekdays();

  const weeklyHours = rows<CalendarDraft['weeklyHours'][number]>(
    'weekly',
    t('calendar.weeklyHours'),
    [t('calendar.weekday'), t('calendar.opens'), t('calendar.closes'), ''],
    () => ({ weekday: 1, opens: '09:00', closes: '18:00' }),
    (value, label) => {
      const weekday = select(days, String(value.weekday), {
        'aria-label': label(t('calendar.weekday')),
      });
      const stretch = stretchCells(value.opens, value.closes, label);
      return {
        cells: [weekday, ...stretch.cells],
        read: () => ({
          weekday: Number(weekday.value),
          opens: stretch.opens.value,
          closes: stretch.closes.value,
        }),
      };
    },
  );
  const holidays = rows<CalendarDraft['holidays'][number]>(
    'holiday',
    t('calendar.holidays'),
    [t('calendar.date'), t('calendar.holidayName')],
    () => ({ date: '', name: '' }),
    (value, label) => {
      const date = h('input', {
        type: 'date',
        value: value.date,
        'aria-label': label(t('calendar.date')),
      });
      const what = h('input', {
        value: value.name,
        'aria-label': label(t('calendar.holidayName')),
      });
      return { cells: [date, what], read: () => ({ date: date.value, name: what.value }) };
    },
  );
  const specialWorkingDays = rows<CalendarDraft['specialWorkingDays'][number]>(
    'special',
    t('calendar.specialDays'),
    [t('calendar.date'), t('calendar.opens'), t('calendar.closes'), ''],
    () => ({ date: '', opens: '09:00', closes: '14:00' }),
    (value, label) => {
      const date = h('input', {
        type: 'date',
        value: value.date,
        'aria-label': label(t('calendar.date')),
      });
      const stretch = stretchCells(value.opens, value.closes, label);
      return {
        cells: [date, ...stretch.cells],
        read: () => ({
          date: date.value,
          opens: stretch.opens.value,
          closes: stretch.closes.value,
        }),
      };
    },
  );

  return {
    element: h(
      'div',
      { class: 'entry-form' },
      field(t('calendar.name'), name, 'calendar-name'),
      field(t('calendar.timeZone'), timeZone, 'calendar-time-zone'),
      zones,
      weeklyHours.element,
      h('p', { class: 'hint' }, t('calendar.weeklyHint')),
      holidays.element,
      specialWorkingDays.element,
    ),
    fill(payload) {
      const draft = calendarDraft(payload);
      name.value = draft.name;
      timeZone.value = draft.timeZone;
      weeklyHours.set(draft.weeklyHours);
      holidays.set(draft.holidays);
      specialWorkingDays.set(draft.specialWorkingDays);
    },
    read() {
      return checkCalendar({
        name: name.value,
        timeZone: timeZone.value,
        weeklyHours: weeklyHours.values(),
        holidays: holidays.values(),
        specialWorkingDays: specialWorkingDays.values(),
      });
    },
  };
}
