import { runAdapterContract } from '../../channel/test/contract-suite';
import { emailAdapter } from '../src';
import { deliveryReport, fixture, OUR_MESSAGE_ID } from './mails';

const lines = (...text: string[]) => Buffer.from(text.join('\r\n'));

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
    {
      name: 'a delay notice for our reply',
      payload: deliveryReport(OUR_MESSAGE_ID, 'delayed', '4.4.7'),
    },
  ],
  malformed: [
    { name: 'no bytes at all', payload: Buffer.alloc(0) },
    {
      name: 'a mail that names no sender',
      payload: lines('To: support@firstline.test', 'Subject: hello', '', 'Who am I?', ''),
    },
  ],
});
