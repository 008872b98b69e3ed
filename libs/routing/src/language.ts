/**
 * The language of a message, from the script its letters are written in: enough to tell Russian
 * from English, the two languages the first line answers in. Returns BCP 47 ("ru", "en"), or ""
 * when the text has no letters of either script.
 */
export function detectLanguage(text: string): string {
  let cyrillic = 0;
  let latin = 0;
  for (const char of text) {
    if (/\p{Script=Cyrillic}/u.test(char)) cyrillic += 1;
    else if (/[a-z]/i.test(char)) latin += 1;
  }
  if (cyrillic === 0 && latin === 0) return '';
  // Russian text is often sprinkled with Latin product names and URLs; Cyrillic wins on a tie.
  return cyrillic >= latin ? 'ru' : 'en';
}
