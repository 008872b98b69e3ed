import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAdapterContract } from '../../channel/test/contract-suite';
import { emailAdapter } from '../src';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));
const lines = (...text: string[]) => Buffer.from(text.join('\r\n'));

/** The mail server's report on our reply `fl.51.…`, with the given RFC 3464 action and status. */
const reportOnOurReply = (action: string, status: string) =>
  lines(
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
    '',
    '--r',
    'Content-Type: text/rfc822-headers',
    '',
    'Message-ID: <fl.51.b3V0LTUx@firstline.test>',
    '',
    '--r--',
    '',
  );

runAdapterContract('Email', emailAdapter, {
  context: { fromAddress: 'support@firstline.test', messageIdDomain: 'firstline.test' },
  messages: [
    { name: 'a new request', payload: fixture('new-request.eml') },
    { name: 'a Gmail reply to our mail', payload: fixture('gmail-reply.eml') },
    {
      name: 'HTML with attachments and an inline image',
      payload: fixture('html-with-attachments.eml'),
    },
    { name: 'a mail without a Message-ID', payload: fixture('no-message-id.eml') },
    { name: 'an out-of-office reply (marked automatic)', payload: fixture('out-of-office.eml') },
    { name: 'a mailing list’s newsletter (marked automatic)', payload: fixture('newsletter.eml') },
    {
      name: 'a plain-text mail with LF line ends',
      payload: Buffer.from('From: ann@example.com\nSubject: hi\n\nIs anybody there?\n'),
    },
  ],
  ignored: [
    { name: 'a bounce of our reply (a delivery receipt instead)', payload: fixture('bounce.eml') },
    { name: 'a delay notice for our reply', payload: reportOnOurReply('delayed', '4.4.7') },
  ],
  malformed: [
    { name: 'no bytes at all', payload: Buffer.alloc(0) },
    {
      name: 'a mail that names no sender',
      payload: lines('To: support@firstline.test', 'Subject: hello', '', 'Who am I?', ''),
    },
  ],
});
