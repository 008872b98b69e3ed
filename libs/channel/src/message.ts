import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  AttachmentSchema,
  create,
  IdentitySchema,
  InboundMessageSchema,
  timestampFromDate,
  type Attachment,
  type Identity,
  type IdentityKind,
  type InboundMessage,
} from '@firstline/contracts';

/**
 * What an adapter read from one platform message. Times are plain `Date`s; the builder turns them
 * into the contract's timestamps, so every adapter fills the envelope the same way.
 */
export type InboundFields = Omit<
  Exclude<MessageInitShape<typeof InboundMessageSchema>, InboundMessage>,
  'receivedAt' | 'sentAt'
> & {
  receivedAt: Date;
  /** When the customer sent it, by the platform's clock; absent when the platform does not say. */
  sentAt?: Date;
};

/** The normalised InboundMessage every adapter publishes. */
export function inboundMessage(fields: InboundFields): InboundMessage {
  const { receivedAt, sentAt, ...rest } = fields;
  return create(InboundMessageSchema, {
    ...rest,
    receivedAt: timestampFromDate(receivedAt),
    ...(sentAt ? { sentAt: timestampFromDate(sentAt) } : {}),
  });
}

/** Who a message comes from, as the channel knows them. */
export function identity(kind: IdentityKind, value: string, displayName = ''): Identity {
  return create(IdentitySchema, { kind, value, displayName });
}

/** A file that travels with a message, by store key or by URL. */
export function fileAttachment(fields: MessageInitShape<typeof AttachmentSchema>): Attachment {
  return create(AttachmentSchema, fields);
}
