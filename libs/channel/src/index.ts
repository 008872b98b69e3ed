export * from './adapter';
export { deliveryReceipt } from './receipt';
export * from './attachment-limits';
