export * from './adapter';
export { deliveryReceipt } from './receipt';
export * from './attachment-limits';
export { fileAttachment, identity, inboundMessage, type InboundFields } from './message';
export { conversationOf, replyText } from './outbound';
