// The header's search box: `/` focuses it, results appear as the agent types, Enter or a click
// opens the chosen ticket.

import { ApiError } from './api.js';
import type { Context } from './context.js';
import { h, replace } from './dom.js';
import { addTexts, t } from './i18n.js';
import { searchTexts } from './search-texts.js';

addTexts(searchTexts);

/** One result of `GET /api/v1/search` (its OpenAPI schema: SearchResultView). */
export interface SearchResult {
  id: string;
  number: string;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  teamId: string;
  assigneeId: string | null;
  updatedAt: string;
  customer: { id: string; name: string };
  matchedBy: string;
  highlight: Array<{ text: string; match: boolean }>;
}

/** Typing pauses this long before a search goes out, so a word is not searched letter by letter. */
const TYPING_PAUSE_MS = 200;

/**
 * A combobox (WAI-ARIA 1.2): the input keeps the focus while ↑/↓ move through the results, so
 * the agent can go on typing at any time.
 */
export function searchBox(context: Context): HTMLElement {
  const list = h('ul', {
    id: 'search-results',
    role: 'listbox',
    'aria-label': t('search.results'),
  });
  const input = h('input', {
    type: 'search',
    id: 'search',
    role: 'combobox',
    autocomplete: 'off',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': 'search-results',
    'aria-keyshortcuts': '/',
    placeholder: t('search.placeholder'),
    maxlength: 200,
  });
  const state = h('p', { class: 'search-state', role: 'status' });
  const panel = h('div', { class: 'search-panel', hidden: true }, state, list);
  const box = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { for: 'search', class: 'visually-hidden' }, t('search.label')),
    input,
    panel,
  );

  let results: SearchResult[] = [];
  let active = -1;
  let asked = 0;
  let pause: number | undefined;
  /** The query the shown results answer. */
  let shownFor = '';

  const close = () => {
    panel.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const choose = (index: number) => {
    active = index;
    list
      .querySelectorAll('li')
      .forEach((item, i) => item.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `search-result-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    }
  };
  const open = (result: SearchResult | undefined) => {
    if (!result) return;
    close();
    input.blur();
    location.hash = `#/ticket/${encodeURIComponent(result.id)}`;
  };
  const show = (query: string) => {
    replace(
      list,
      results.map((result, index) => resultItem(result, index, context, () => open(result))),
    );
    state.textContent = results.length
      ? t('search.count', { count: results.length })
      : t('search.none', { query });
    choose(results.length ? 0 : -1);
  };
  const search = async () => {
    const query = input.value.trim();
    const ask = ++asked;
    if (!query) {
      results = [];
      active = -1;
      close();
      return;
    }
    panel.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    state.textContent = t('search.searching');
    try {
      const answer = await context.api.get<{ results: SearchResult[] }>(
        `/search?q=${encodeURIComponent(query)}`,
      );
      if (ask !== asked) return; // a later query is on its way
      results = answer.results;
      shownFor = query;
      show(query);
    } catch (error) {
      if (ask !== asked) return;
      results = [];
      active = -1;
      replace(list);
      state.textContent = t('search.failed', {
        reason: error instanceof ApiError ? error.message : t('error.network'),
      });
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(pause);
    pause = window.setTimeout(() => void search(), TYPING_PAUSE_MS);
  });
  input.addEventListener('focus', () => {
    if (input.value.trim() && results.length) {
      panel.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (results.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      choose((active + step + results.length) % results.length);
    } else if (event.key === 'Escape') {
      // Esc closes the results here; it must not also leave the ticket behind.
      event.stopPropagation();
      if (!panel.hidden) close();
      else input.blur();
    }
  });
  box.addEventListener('submit', (event) => {
    event.preventDefault();
    // Enter within the typing pause searches first, then opens what it found.
    if (shownFor === input.value.trim() && !panel.hidden) open(results[active]);
    else {
      window.clearTimeout(pause);
      void search().then(() => open(results[active]));
    }
  });
  box.addEventListener('focusout', (event) => {
    if (!box.contains(event.relatedTarget as Node | null)) close();
  });

  // "/" focuses the box from anywhere but a field the agent is typing into.
  const onKey = (event: KeyboardEvent) => {
    // Signed out: the header is gone, and so is this shortcut.
    if (!box.isConnected) {
      document.removeEventListener('keydown', onKey);
      return;
    }
    const target = event.target as HTMLElement;
    if (
      event.key !== '/' ||
      event.altKey ||
      event.ctrlKey ||
      event.metaKey ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) ||
      target.isContentEditable
    )
      return;
    event.preventDefault();
    input.focus();
    input.select();
  };
  document.addEventListener('keydown', onKey);
  return box;
}

function resultItem(
  result: SearchResult,
  index: number,
  context: Context,
  open: () => void,
): HTMLElement {
  const item = h(
    'li',
    { id: `search-result-${index}`, role: 'option', 'aria-selected': 'false' },
    h('span', { class: 'search-title' }, h('strong', {}, `#${result.number}`), ' ', result.subject),
    h(
      'span',
      { class: 'search-meta' },
      [
        result.customer.name || t('customer.unknown'),
        context.teamName(result.teamId),
        t(`status.${result.status}`),
        t(`search.by.${result.matchedBy}`),
      ].join(' · '),
    ),
    // Every piece is a text node: what a customer wrote is never taken for markup.
    h(
      'span',
      { class: 'search-highlight' },
      result.highlight.map((fragment) =>
        fragment.match ? h('mark', {}, fragment.text) : fragment.text,
      ),
    ),
  );
  // mousedown, not click: the input's focusout would close the list before a click lands.
  item.addEventListener('mousedown', (event) => {
    event.preventDefault();
    open();
  });
  return item;
}
