import type { Texts } from './texts.js';

/** The header search's texts. */
export const searchTexts: { en: Texts; ru: Texts } = {
  en: {
    'search.label': 'Search tickets',
    'search.placeholder': 'Search: #number, email, phone, name, words  ( / )',
    'search.results': 'Search results',
    'search.searching': 'Searching…',
    'search.none': 'Nothing found for “{query}”.',
    'search.count': 'Found: {count}. ↑/↓ choose, Enter opens, Esc closes.',
    'search.failed': 'The search failed: {reason}',
    'search.by.number': 'number',
    'search.by.email': 'email',
    'search.by.phone': 'phone',
    'search.by.account': 'account',
    'search.by.name': 'name',
    'search.by.text': 'text',
  },
  ru: {
    'search.label': 'Поиск обращений',
    'search.placeholder': 'Поиск: #номер, почта, телефон, имя, слова  ( / )',
    'search.results': 'Результаты поиска',
    'search.searching': 'Ищем…',
    'search.none': 'По запросу «{query}» ничего не найдено.',
    'search.count': 'Найдено: {count}. ↑/↓ — выбор, Enter — открыть, Esc — закрыть.',
    'search.failed': 'Поиск не удался: {reason}',
    'search.by.number': 'номер',
    'search.by.email': 'почта',
    'search.by.phone': 'телефон',
    'search.by.account': 'аккаунт',
    'search.by.name': 'имя',
    'search.by.text': 'текст',
  },
};
