// The console's language: the agent's choice, else the browser's. A text missing in Russian
// falls back to English; a key missing in both shows itself.

import { en, ru, type Texts } from './texts.js';

export const LANGUAGES = ['en', 'ru'] as const;
type Language = (typeof LANGUAGES)[number];
const LANGUAGE_KEY = 'firstline.language';

/** Every text of the console by language, the screens that load later included once loaded. */
const dictionaries: Record<Language, Texts> = { en, ru };

/** Adds the texts of a screen that loads later (dashboard, admin). */
export function addTexts(texts: Record<Language, Texts>): void {
  Object.assign(en, texts.en);
  Object.assign(ru, texts.ru);
}

export function language(): Language {
  const chosen = localStorage.getItem(LANGUAGE_KEY);
  if (chosen === 'en' || chosen === 'ru') return chosen;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function setLanguage(code: string): void {
  localStorage.setItem(LANGUAGE_KEY, code);
}

/** The text of a key in the current language, `{name}` filled in from `values`. */
export function t(key: string, values: Record<string, string | number> = {}): string {
  const text = dictionaries[language()][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/**
 * `t` for a text about `count` things: the key's variant for the count's plural category in the
 * current language ("staffing.window.one": "… over 1 week") where that language has one.
 */
export function tCount(
  key: string,
  count: number,
  values: Record<string, string | number> = {},
): string {
  const variant = `${key}.${new Intl.PluralRules(language()).select(count)}`;
  return t(variant in dictionaries[language()] ? variant : key, values);
}
