import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One of the project's own mails in `fixtures/`, as the mailbox hands it over. */
export const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));

/** Our reply's Message-ID, as `fixtures/bounce.eml` quotes it: outbound `out-51` of ticket 51. */
export const OUR_MESSAGE_ID = 'fl.51.b3V0LTUx@firstline.test';

/**
 * A mail server's delivery status notification (RFC 3464) about the mail `messageId`, with the
 * given action ("failed", "delayed") and status code.
 */
export const deliveryReport = (messageId: string, action: string, status: string) =>
  Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      'To: support@firstline.test',
      `Subject: Delivery Status Notification (${action})`,
      `Message-ID: <report-${action}@mx.example.net>`,
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      '',
      '--r',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; ann@example.com',
      `Action: ${action}`,
      `Status: ${status}`,
      `Diagnostic-Code: smtp; ${status} mailbox busy`,
      '',
      '--r',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${messageId}>`,
      '',
      '--r--',
      '',
    ].join('\r\n'),
  );
