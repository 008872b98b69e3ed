import { adminTexts } from '../web/admin-texts';
import { dashboardTexts } from '../web/dashboard-texts';
import { rulesTexts } from '../web/rules-texts';
import { searchTexts } from '../web/search-texts';
import { staffingTexts } from '../web/staffing-texts';
import { supervisorTexts } from '../web/supervisor-texts';
import { en, ru } from '../web/texts';

const all = {
  en: {
    ...en,
    ...dashboardTexts.en,
    ...adminTexts.en,
    ...searchTexts.en,
    ...supervisorTexts.en,
    ...rulesTexts.en,
    ...staffingTexts.en,
  },
  ru: {
    ...ru,
    ...dashboardTexts.ru,
    ...adminTexts.ru,
    ...searchTexts.ru,
    ...supervisorTexts.ru,
    ...rulesTexts.ru,
    ...staffingTexts.ru,
  },
};

describe('the console’s languages', () => {
  it('has every English text in Russian too, the later screens’ included', () => {
    const english = Object.keys(all.en);
    expect(english.length).toBeGreaterThan(150);
    expect(english.filter((key) => !(key in all.ru))).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(all.en)) {
      expect([key, placeholders(all.ru[key as keyof typeof all.ru] ?? '')]).toEqual([
        key,
        placeholders(text),
      ]);
    }
  });
});
