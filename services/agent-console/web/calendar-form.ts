import type { EntryForm } from './admin.js';
import { field, h, select } from './dom.js';
import { rows, type RowTexts } from './form-controls.js';
import { language, t } from './i18n.js';
import {
  calendarDraft,
  checkCalendar,
  runsPastMidnight,
  type CalendarDraft,
} from './admin-logic.js';

/** The texts of one of the calendar's tables of rows. */
function rowTexts(table: 'weekly' | 'holiday' | 'special'): RowTexts {
  return {
    add: t(`calendar.${table}.add`),
    row: (index) => t(`calendar.${table}.row`, { row: index }),
    cell: (column, row) => t('calendar.cell', { column, row }),
    remove: (row) => t('calendar.remove', { row }),
  };
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
    rowTexts('weekly'),
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
    rowTexts('holiday'),
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
    rowTexts('special'),
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
