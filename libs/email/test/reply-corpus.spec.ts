import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractReply } from '../src';

/**
 * The reply corpus in ../shared/corpus/replies: 80 mails from the test suites of five reply parsers
 * (github/email_reply_parser with its port zapier/email-reply-parser, mailgun/talon,
 * crisp-oss/email-reply-parser, willdurand/EmailReplyParser, alfonsrv/mail-parser-reply), each
 * suite stating in its tests which part of its mail is the visible reply. It lives outside the
 * repository; without it this suite is skipped. The expectations below name that part by line
 * numbers of the mail's body (1-based, inclusive), so no text of the corpus is copied here.
 *
 * Where the suites disagree we follow:
 * - talon, in keeping a forwarded message whole (the customer sent it for us to read);
 * - talon and willdurand, in dropping one quoted message that the reply is written above, below or
 *   around ("Test reply / On … wrote: / > … / Regards"); github, in keeping the quoted passages
 *   between answers when the customer answers several of them inline;
 * - talon, in keeping a signature written above the quote ("Sent from my iPhone"): telling a
 *   signature from a sentence is guesswork, and cutting a customer's words is worse than showing
 *   a sign-off. The three mails whose suites hide such a signature are listed as disagreements.
 */
const corpusRoots = [
  resolve(__dirname, '../../../../shared'),
  resolve(__dirname, '../../../../../shared'),
];
const replies = corpusRoots.map((root) => join(root, 'corpus/replies')).find(existsSync);

type Lines = [from: number, to: number];
const expected: Record<string, Lines[]> = {
  'github-email_1_3': [[1, 3]],
  'github-email_1_4': [[1, 1]],
  'github-email_1_6': [[1, 3]],
  'github-email_1_7': [[1, 1]],
  'github-email_1_8': [[1, 19]],
  'github-email_2_1': [[1, 1]],
  'github-email_2_2': [[1, 1]],
  'github-email_2_3': [[1, 1]],
  'github-email_bullets': [[1, 9]],
  'github-email_one_is_not_on': [[1, 5]],
  'github-greedy_on': [[1, 6]],
  'zapier-email_2_3': [[1, 1]],
  'zapier-email_gmail': [[1, 1]],
  'zapier-email_headers_no_delimiter': [[1, 1]],
  'talon-android_wrote': [[1, 1]],
  'talon-appointment': [[1, 10]],
  'talon-bold_from_block': [[1, 1]],
  'talon-date_time_email_splitter': [[1, 1]],
  'talon-dont_parse_quotations_for_forwarded_messages': [[1, 10]],
  'talon-french_multiline_from_block': [[1, 1]],
  'talon-german_from_block': [[1, 1]],
  'talon-german_original_message': [[1, 1]],
  'talon-line_starts_with_on': [[1, 2]],
  'talon-pattern_on_date_somebody_wrote_allows_space_in_front': [[1, 1]],
  'talon-polish_from_block': [[1, 1]],
  'talon-quotation_marker_false_positive': [[1, 3]],
  'talon-quotation_separator_takes_3_lines': [[1, 1]],
  'talon-reply_after_quotations': [[5, 5]],
  'talon-reply_wraps_quotations': [
    [1, 1],
    [8, 8],
  ],
  'talon-short_quotation_with_newline': [[1, 1]],
  'talon-std_android': [[1, 1]],
  'talon-std_aol': [[1, 1]],
  'talon-std_apple_mail': [[1, 1]],
  'talon-std_apple_mail_2': [[1, 1]],
  'talon-std_comcast': [[1, 1]],
  'talon-std_gmail': [[1, 1]],
  'talon-std_hotmail': [[2, 2]],
  'talon-std_iphone': [[1, 3]],
  'talon-std_outlook': [[1, 1]],
  'talon-std_sparrow': [[1, 5]],
  'talon-std_thunderbird': [[3, 3]],
  'talon-std_yahoo': [[1, 1]],
  'talon-vietnamese_from_block': [[1, 1]],
  'crisp-email_18': [[1, 5]],
  'crisp-email_22': [[1, 5]],
  'crisp-email_26': [[1, 5]],
  'crisp-email_7': [[1, 5]],
  'crisp-email_8': [[1, 5]],
  'crisp-email_finnish': [[1, 5]],
  'crisp-email_fr_multiline': [[1, 5]],
  'crisp-email_french_2': [[1, 5]],
  'crisp-email_german': [[1, 5]],
  'crisp-email_german_outlook': [[1, 5]],
  'crisp-email_gmail_split_line_from': [[1, 5]],
  'crisp-email_ios_outlook_fr': [[1, 5]],
  'crisp-email_outlook_split_line_from': [[1, 5]],
  'crisp-email_portuguese': [[1, 5]],
  'crisp-email_reply_header': [[1, 11]],
  'crisp-email_russian': [[1, 5]],
  'crisp-email_sent_from': [[1, 1]],
  'crisp-email_tricky_12_no_space_after_header': [[1, 5]],
  'crisp-email_tricky_1_on_false_positive': [[1, 6]],
  'crisp-email_zoho': [[1, 2]],
  'crisp-parseReply_with_quote_header': [[1, 6]],
  'willdurand-date_de_schrieb': [[1, 1]],
  'willdurand-date_es_gmail': [[1, 1]],
  'willdurand-email_2': [
    [1, 1],
    [9, 34],
  ],
  'willdurand-email_20': [[1, 1]],
  'willdurand-email_22': [[1, 5]],
  'willdurand-email_23': [[1, 5]],
  'willdurand-email_23_1': [[1, 7]],
  'willdurand-email_norwegian_gmail': [[1, 5]],
  'willdurand-email_thread': [[1, 1]],
  'willdurand-email_unquoted_reply': [[1, 1]],
  'willdurand-email_w10_mail': [[1, 4]],
  'willdurand-email_zimbra_free_fr': [[1, 10]],
  'alfonsrv-email_danish_2': [[1, 6]],
  'alfonsrv-email_ja_1_2': [[1, 8]],
  'alfonsrv-email_sv_anon_1': [[1, 8]],
  'alfonsrv-email_swedish_1': [[1, 8]],
};

/** Mails whose suite hides a signature above the quote, which we keep (see above). */
const knownDisagreements: Record<string, string> = {
  'github-email_1_3': 'github hides the "-Name" sign-off above the quote; we keep it',
  'crisp-email_sent_from': 'crisp hides the "Sent from <app>" line above the quote; we keep it',
  'crisp-email_ios_outlook_fr':
    'crisp hides Outlook for iOS\'s "Envoyé à partir de …" line above the quote; we keep it',
};

/** The body as the mail's text part: after the header block, with CRLF as LF. */
function bodyOf(file: string): string {
  const mail = readFileSync(file, 'utf8');
  const end = mail.search(/\r?\n\r?\n/);
  return mail
    .slice(end)
    .replace(/^\r?\n\r?\n/, '')
    .replace(/\r\n?/g, '\n');
}

/** Blank lines and trailing spaces do not tell replies apart. */
const tidy = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

if (!replies) {
  describe.skip('reply extraction on the reply corpus (../shared/corpus/replies is absent)', () => {
    it('gives every mail the reply its suite expects', () => undefined);
  });
} else {
  const corpus = replies;
  describe('reply extraction on the reply corpus', () => {
    const names = Object.keys(expected);
    const results = names.map((name) => {
      const body = bodyOf(join(corpus, `${name}.eml`));
      const lines = body.split('\n');
      const want = tidy(
        expected[name].map(([from, to]) => lines.slice(from - 1, to).join('\n')).join('\n\n'),
      );
      return { name, want, got: tidy(extractReply(body)) };
    });

    it('has an expectation for every mail of the corpus', () => {
      const files = readdirSync(corpus)
        .filter((name) => name.endsWith('.eml'))
        .map((name) => name.replace(/\.eml$/, ''));
      expect(files.sort()).toEqual([...names].sort());
    });

    it.each(results.filter((result) => !(result.name in knownDisagreements)))(
      '$name: the reply its suite expects',
      ({ want, got }) => {
        expect(got).toBe(want);
      },
    );

    it.each(Object.entries(knownDisagreements))(
      '%s keeps the sign-off its suite hides (%s)',
      (name) => {
        const { want, got } = results.find((result) => result.name === name)!;
        expect(got.startsWith(want) && got !== want).toBe(true);
      },
    );

    it('agrees with the suites on at least 76 of the 80 mails', () => {
      const agreeing = results.filter((result) => result.got === result.want).length;
      console.log(`reply corpus: ${agreeing}/${results.length} mails give the expected reply`);
      expect(agreeing).toBeGreaterThanOrEqual(76);
    });
  });
}
