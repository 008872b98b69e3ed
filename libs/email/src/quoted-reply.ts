/**
 * The new text of a reply, without the history mail clients quote below it. Each client marks
 * the start of the quote its own way; the first marker found ends the reply.
 */

// "On Tue, 5 Mar 2024 at 10:00, Ann <ann@example.com> wrote:" (Gmail, Apple Mail, Thunderbird)
// and its translations ("Am 5.3.24 um 10:00 schrieb Ann:"); Gmail may wrap the line before "wrote:".
const attributionLine =
  /^(On|Am|Le|El|Il|Op)\s.{4,}?\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef)(\s[^:]*)?:\s*$/is;
// Gmail in Russian: "пн, 4 мар. 2024 г. в 10:00, Анна <ann@example.com>:" or "... написал(а):".
const russianAttribution = /^.{0,40}\d{4}\s*г\.?.*(<[^>]+@[^>]+>\s*:|написал\(?а?\)?:)\s*$/is;
// Outlook and Thunderbird separators.
const separatorLine =
  /^\s*(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Исходное сообщение|Message d'origine|Forwarded message|Weitergeleitete Nachricht|Пересылаемое сообщение)\s*-{2,}|_{20,})\s*$/i;
// Outlook's header block: a "From:" line followed closely by "Sent:" or "Date:", in the client's
// language (Russian: «От: / Отправлено:»).
const fromLine = /^\s*\*?(From|От|Von|De|Van|Da)\s*:\*?\s*\S/i;
const sentLine =
  /^\s*\*?(Sent|Date|Отправлено|Дата|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato)\s*:\*?\s*\S/i;

export function extractReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const end = quoteStart(lines);
  return lines.slice(0, end).join('\n').trim();
}

function quoteStart(lines: string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const withNext = `${line} ${lines[index + 1] ?? ''}`;
    if (separatorLine.test(line)) return index;
    if (attributionLine.test(line) || russianAttribution.test(line)) return index;
    if (/^(On|Am|Le)\s/.test(line) && attributionLine.test(withNext)) return index;
    if (fromLine.test(line) && lines.slice(index + 1, index + 4).some((l) => sentLine.test(l))) {
      return index;
    }
    if (/^>/.test(line) && lines.slice(index).every((l) => /^>/.test(l) || l.trim() === '')) {
      return index;
    }
  }
  return lines.length;
}
