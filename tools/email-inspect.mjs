// Shows how Firstline reads one mail: `npm run email:inspect -- FILE.eml [--domain=support.example.com]`.
// Prints the normalised message as JSON — sender, subject, recipients, the threading references
// and the ticket they point to, the reply without quoted history, the auto-response and bounce
// verdicts — so a support engineer can see why a mail was threaded or flagged the way it was.
// --domain is the domain of the Message-IDs Firstline mints (EMAIL_MESSAGE_ID_DOMAIN).
// Runs the built library (`npm run build`; the npm script does that first).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/libs/email/src/index.js');
if (!existsSync(built)) {
  console.error(`email-inspect: ${built} is missing; run \`npm run build\` first`);
  process.exit(1);
}
const { normalise, parseOwnMessageId, ticketNumberInSubject } = require(built);
const { timestampDate } = require(join(root, 'dist/libs/contracts/src/index.js'));

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith('--'));
const domain =
  args.find((arg) => arg.startsWith('--domain='))?.slice('--domain='.length) ??
  process.env.EMAIL_MESSAGE_ID_DOMAIN;
if (!file) {
  console.error('usage: npm run email:inspect -- FILE.eml [--domain=support.example.com]');
  process.exit(2);
}

let raw;
try {
  raw = readFileSync(file);
} catch (error) {
  console.error(`email-inspect: cannot read ${file}: ${error.message}`);
  process.exit(1);
}

const { message, deliveryStatus } = await normalise(raw, {
  receivedAt: new Date(),
  ownDomain: domain,
});
const meta = message.channelMetadata;
const split = (value) => (value ? value.split(/,\s*|\s+/) : []);
const references = split(meta.references);
const inReplyTo = split(meta.in_reply_to);
const ours = [...inReplyTo, ...references]
  .map((id) => ({ id, own: parseOwnMessageId(id, domain) }))
  .filter(({ own }) => own);

const report = {
  messageId: message.messageId,
  sender: message.sender?.value ?? '',
  displayName: message.sender?.displayName ?? '',
  subject: message.subject,
  sentAt: message.sentAt ? timestampDate(message.sentAt).toISOString() : null,
  recipients: { to: split(meta.to), cc: split(meta.cc), replyTo: split(meta.reply_to) },
  threading: {
    conversationKey: message.conversationKey,
    inReplyTo,
    references,
    ourMessageIds: ours.map(({ id, own }) => ({ id, ...own })),
    // What the router threads by, nearest first (docs/adr/0013).
    repliedMessageIds: message.repliedMessageIds,
    ticketNumber: message.inReplyToTicketNumber ?? null,
    ticketNumberFrom: ours.some(({ own }) => own.ticketNumber)
      ? 'our Message-ID'
      : ticketNumberInSubject(message.subject)
        ? 'subject tag'
        : null,
  },
  replyText: message.replyText,
  parseBudgetExceeded: meta.parse_budget_exceeded ?? null,
  autoResponse: { flagged: message.autoResponse, reason: meta.auto_response_reason ?? null },
  bounce: deliveryStatus
    ? {
        bouncedMessageId: deliveryStatus.bouncedMessageId || null,
        failedRecipient: deliveryStatus.failedRecipient || null,
        action: deliveryStatus.action,
        status: deliveryStatus.status || null,
        permanent: deliveryStatus.permanent,
        diagnostic: deliveryStatus.diagnostic || null,
      }
    : null,
  attachments: message.attachments.map((attachment) => ({
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    sizeBytes: attachment.sizeBytes,
    inlineContentId: attachment.contentId || null,
    storageKey: attachment.storageKey || null,
  })),
  hasHtml: message.htmlBody !== '',
};
console.log(JSON.stringify(report, null, 2));
