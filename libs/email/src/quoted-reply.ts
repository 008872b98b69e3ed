/**
 * The new text of a reply, without the history mail clients quote with it. Each client marks the
 * start of a quote its own way (an attribution line, a separator, a header block, `>` prefixes);
 * the text is cut into what the customer wrote and what they quoted, in one pass over its lines.
 *
 * Every pattern is tested against one line or a join of at most three short lines, and none can
 * backtrack over more than that, so the cost is linear in the text's length whatever it contains.
 */

/** Only this much of a text is searched for its reply; no reply a person writes is longer. */
export const MAX_REPLY_SOURCE_CHARS = 256 * 1024;
/** A line longer than this is text, never an attribution, separator or header line. */
const MAX_MARKER_LINE_CHARS = 400;

// The verbs of an attribution line ("On … Ann wrote:", "Am … schrieb Ann:", "Le … a écrit :"),
// in the languages clients write them, at the end of the (possibly wrapped) line. Thunderbird in
// German names the writer after the verb.
const wroteVerb =
  /(?:wrote|sent|schrieb(?:\s[^:：]{1,80})?|a [ée]crit|escribi[óo]|ha scritto|schreef|geschreven|kirjoitti|escreveu|skrev|napisa[łl]\(?a?\)?|pisze|написал\(?а?\)?|написала|написав|đã viết|写道|작성|のメッセージ|έγραψε)\s*[:：]\s*$/iu;
// Gmail in several languages names no verb: "ср, 30 апр. 2025 г. в 15:19, Ann <ann@example.com>:".
const endsWithAddress = /(?<![^\s<>()[\]])[^\s<>()[\]]+@[^\s<>()[\]]+\s*[>)\]]*\s*[:：]\s*$/u;
// "Ann <ann@example.com> schrieb:": a name and an address right before the verb.
const addressBeforeVerb = /@[^\s<>]+>\s*\S{1,20}(?:\s\S{1,20})?\s*[:：]\s*$/u;
// "---- Ann wrote ----" (Android, Zoho).
const framedAttribution = /^-{2,}\s*\S.{0,200}\bwrote\s*-{2,}\s*$/i;
// How an attribution starts: a lead word, or a date (a short weekday or nothing before a digit).
const leadWord = /^(?:On|Am|Le|El|Il|Op|Em|W dniu|Den|På|Vào|Dne|Dňa|在)\s/i;
const attributionStart = /^[\p{L}]{0,10}[.,]?\s{0,3}\d/u;

// Separators after which everything is the earlier message.
const separatorLine =
  /^\s*(?:-{2,}\s*(?:Original Message|Reply Message|Ursprüngliche Nachricht|Antwort Nachricht|Исходное сообщение|Message d'origine|Oprindelig meddelelse|Originalmeddelande|Alkuperäinen viesti|Messaggio originale|Mensaje original|Oorspronkelijk bericht)\s*-{2,}|_{20,})\s*$/i;
// A forwarded message is what the customer sends us to read: it stays in the reply.
const forwardLine =
  /^\s*-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Пересылаемое сообщение|Message transféré|Mensaje reenviado|Videresendt meddelelse|Doorgestuurd bericht)\s*-{2,}\s*$/i;
// Outlook's header block: a "From:" line with "Sent:" or "Date:" within the next lines, in the
// client's language ("De :", «От:», "发件人:"); Outlook may put the labels in bold ("*From:*").
const fromLine =
  /^\s*\*?(?:From|От|Von|De|Van|Da|Fra|Från|Od|Lähettäjä|Feladó|发件人|寄件者|差出人)\s*[:：]\*?\s*\S/iu;
const sentLine =
  /^\s*\*?(?:Sent|Date|Отправлено|Дата|Gesendet|Datum|Envoyé|Enviado|Enviada|Verzonden|Inviato|Data|Sendt|Skickat|Wysłano|Lähetetty|Elküldve|发送时间|發送時間|日期|送信日時)\s*[:：]\*?\s*\S/iu;
const signatureDelimiter = /^\s*(?:--|__+)\s*$/;
const quoteLine = /^\s*>/;

type Kind = 'text' | 'empty' | 'quote';

interface Section {
  quoted: boolean;
  /** Quoted under an attribution, separator or header block rather than by bare `>` lines. */
  headed: boolean;
  start: number;
  end: number;
}

export function extractReply(text: string): string {
  const lines = text.slice(0, MAX_REPLY_SOURCE_CHARS).replace(/\r\n?/g, '\n').split('\n');
  const sections = trimTrailingHistory(sectionsOf(lines), lines);
  const lastAnswer = sections.findLastIndex((section) => !section.quoted);
  const answered = sections.filter((section, index) => section.quoted && index < lastAnswer);
  // Answers written between quoted passages keep the passages they answer; a reply written
  // above or below one quoted message is the reply alone. A quote without an attribution above
  // it may be anything (">>> see below"), so it stays.
  const dropQuote = answered.length === 1 && answered[0].headed;
  const kept: string[] = [];
  let dropped = false;
  for (const section of sections) {
    if (section.quoted && dropQuote) {
      dropped = true;
      continue;
    }
    let part = lines.slice(section.start, section.end);
    if (dropped) {
      // Where a quote was taken out, the text on either side is one blank line apart.
      while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
      const firstWord = part.findIndex((line) => line.trim() !== '');
      part = firstWord === -1 ? [] : part.slice(firstWord);
      if (kept.length > 0) kept.push('');
      dropped = false;
    }
    for (const line of part) kept.push(line);
  }
  return kept.join('\n').trim();
}

function kindOf(line: string): Kind {
  if (line.trim() === '') return 'empty';
  return quoteLine.test(line) ? 'quote' : 'text';
}

/** The text cut into the customer's sections and quoted ones, in order. */
function sectionsOf(lines: string[]): Section[] {
  const kinds = lines.map(kindOf);
  const sections: Section[] = [];
  const push = (quoted: boolean, headed: boolean, start: number, end: number) => {
    const last = sections[sections.length - 1];
    if (headed && last && !last.quoted) dropRuleAbove(last, lines);
    if (last && last.quoted === quoted && last.headed === headed && last.end === start) {
      last.end = end;
    } else if (end > start) {
      sections.push({ quoted, headed, start, end });
    }
  };
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (kinds[index] !== 'quote' && forwardLine.test(line)) {
      push(false, false, index, lines.length);
      break;
    }
    if (kinds[index] !== 'quote' && (separatorLine.test(line) || isHeaderBlock(lines, index))) {
      push(true, true, index, lines.length);
      break;
    }
    const attribution = kinds[index] === 'quote' ? 0 : attributionLength(lines, index);
    if (attribution) {
      const afterHeader = nextNonEmpty(kinds, index + attribution);
      // Gmail and Outlook may quote without `>`: then everything below is the old message.
      if (afterHeader === lines.length || kinds[afterHeader] !== 'quote') {
        push(true, true, index, lines.length);
        break;
      }
      const end = quoteEnd(lines, kinds, afterHeader);
      push(true, true, index, end);
      index = end;
      continue;
    }
    if (kinds[index] === 'quote') {
      const end = quoteEnd(lines, kinds, index);
      push(true, false, index, end);
      index = end;
      continue;
    }
    push(false, false, index, index + 1);
    index++;
  }
  return sections;
}

/** Outlook may draw a rule above its header block: it belongs to the quote, not the reply. */
function dropRuleAbove(section: Section, lines: string[]): void {
  let last = section.end - 1;
  while (last > section.start && lines[last].trim() === '') last--;
  if (/^\s*[-_=*]{3,}\s*$/.test(lines[last])) section.end = last;
}

/**
 * Where a run of quoted lines ends. Empty lines between quoted ones belong to it, and so does a
 * line squeezed between two quoted lines: a long quoted line the client wrapped without its `>`.
 */
function quoteEnd(lines: string[], kinds: Kind[], start: number): number {
  let end = start;
  let index = start;
  while (index < lines.length) {
    const kind = kinds[index];
    if (kind === 'quote') {
      end = index + 1;
    } else if (kind === 'text') {
      const wrapped = kinds[index - 1] === 'quote' && kinds[index + 1] === 'quote';
      if (!wrapped) break;
      end = index + 1;
    }
    index++;
  }
  return end;
}

/** After the last quote, a signature block or the list's footer is not part of the answer. */
function trimTrailingHistory(sections: Section[], lines: string[]): Section[] {
  const trimmed = [...sections];
  const firstQuoted = sections.findIndex((section) => section.quoted);
  for (;;) {
    const last = trimmed[trimmed.length - 1];
    if (!last) return trimmed;
    const blank = lines.slice(last.start, last.end).every((line) => line.trim() === '');
    const quotedBefore = firstQuoted !== -1 && firstQuoted < trimmed.length - 1;
    if (last.quoted || (blank && quotedBefore)) {
      trimmed.pop();
      continue;
    }
    const firstLine = lines.slice(last.start, last.end).find((line) => line.trim() !== '');
    if (quotedBefore && firstLine !== undefined && signatureDelimiter.test(firstLine)) {
      trimmed.pop();
      continue;
    }
    return trimmed;
  }
}

function nextNonEmpty(kinds: Kind[], from: number): number {
  let index = from;
  while (index < kinds.length && kinds[index] === 'empty') index++;
  return index;
}

/**
 * How many lines (1 to 3) the attribution starting at `index` takes, or 0 if none starts there.
 * Clients wrap a long one ("On …, Ann <" / "ann@example.com> wrote:"), so the lines that follow
 * are joined to find its end.
 */
function attributionLength(lines: string[], index: number): number {
  const first = lines[index];
  if (first.length > MAX_MARKER_LINE_CHARS) return 0;
  if (framedAttribution.test(first)) return 1;
  const start = first.replace(/^\s*-?\s*/, '');
  if (!leadWord.test(start) && !attributionStart.test(start)) {
    // Undated, only "Ann <ann@example.com> schrieb:" on a line of its own.
    const tail = start.slice(-200);
    return tail.includes('@') && addressBeforeVerb.test(tail) && wroteVerb.test(tail) ? 1 : 0;
  }
  let joined = '';
  for (let count = 1; count <= 3 && index + count <= lines.length; count++) {
    const line = lines[index + count - 1];
    if (line.trim() === '' || line.length > MAX_MARKER_LINE_CHARS) return 0;
    // A line that ends a sentence, or a next line that starts an attribution of its own, shows
    // that this line is the customer's rather than the first part of a wrapped attribution.
    if (count > 1 && (/[.!?]\s*$/.test(lines[index + count - 2]) || leadWord.test(line.trim()))) {
      return 0;
    }
    joined = count === 1 ? start : `${joined} ${line.trim()}`;
    // Only the end decides, and testing a bounded tail keeps every test short.
    const tail = joined.slice(-200);
    if (wroteVerb.test(tail) || endsWithAddress.test(tail)) {
      // A date, an address or the `>` lines below tell an attribution from a sentence.
      if (/\d|@/.test(joined) || quotedBelow(lines, index + count)) return count;
    }
  }
  return 0;
}

function quotedBelow(lines: string[], from: number): boolean {
  for (let index = from; index < lines.length && index < from + 4; index++) {
    if (lines[index].trim() !== '') return quoteLine.test(lines[index]);
  }
  return false;
}

/** Outlook's "From:" line with its "Sent:" or "Date:" among the next four lines. */
function isHeaderBlock(lines: string[], index: number): boolean {
  if (lines[index].length > MAX_MARKER_LINE_CHARS || !fromLine.test(lines[index])) return false;
  for (let next = index + 1; next <= index + 4 && next < lines.length; next++) {
    if (lines[next].length <= MAX_MARKER_LINE_CHARS && sentLine.test(lines[next])) return true;
  }
  return false;
}
