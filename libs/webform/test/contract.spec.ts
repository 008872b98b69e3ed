import { create, AttachmentSchema } from '@firstline/contracts';
import { runAdapterContract } from '../../channel/test/contract-suite';
import { DEFAULT_FORMS, webformAdapter, type FormSubmission, type StatusPageMessage } from '../src';

const contact: FormSubmission = {
  kind: 'submission',
  formId: 'contact',
  fields: {
    name: 'Bob Customer',
    email: 'bob@example.com',
    topic: 'billing',
    message: 'My invoice shows the wrong amount.',
  },
  locale: 'en',
  idempotencyKey: 'contract-key-1',
  statusToken: 'contract-status-1',
  attachments: [],
};

const followUp: StatusPageMessage = {
  kind: 'follow-up',
  fields: { text: 'One more thing.' },
  locale: 'en',
  idempotencyKey: 'contract-key-3',
  statusToken: 'contract-status-1',
  attachments: [],
  conversation: {
    customerName: 'Bob Customer',
    email: 'bob@example.com',
    subject: 'Contact support: Billing and payments',
    locale: 'en',
    ticketNumber: '10234',
  },
};

const screenshot = create(AttachmentSchema, {
  storageKey: 'webform/sha256/0f',
  url: 'https://support.example/webform/attachments/0f',
  fileName: 'invoice.png',
  contentType: 'image/png',
  sizeBytes: 2048,
});

runAdapterContract('Web form', webformAdapter, {
  context: { forms: DEFAULT_FORMS },
  messages: [
    { name: 'a contact form', payload: contact },
    {
      name: 'a call-back request',
      payload: {
        kind: 'submission',
        formId: 'callback',
        fields: {
          name: 'Cleo',
          phone: '+7 912 345-67-89',
          callback_from: '2099-03-02T15:00:00+03:00',
          callback_to: '2099-03-02T17:00:00+03:00',
        },
        locale: 'ru',
        idempotencyKey: 'contract-key-2',
        statusToken: 'contract-status-2',
        attachments: [],
      },
    },
    { name: 'a message added on the status page', payload: followUp },
    {
      name: 'a file alone added on the status page',
      payload: { ...followUp, fields: {}, attachments: [screenshot] },
    },
  ],
  ignored: [
    {
      name: 'a robot that filled in the hidden field',
      payload: { ...contact, fields: { ...contact.fields, website: 'http://spam.example' } },
    },
  ],
  malformed: [
    { name: 'a post of no known kind', payload: { ...contact, kind: 'comment' } },
    { name: 'a field that is not text', payload: { ...contact, fields: { message: 42 } } },
    { name: 'a post without its idempotency key', payload: { ...contact, idempotencyKey: '' } },
    {
      name: 'a status-page message without its conversation',
      payload: { ...followUp, conversation: undefined },
    },
  ],
});
