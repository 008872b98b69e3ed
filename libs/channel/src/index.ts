export * from './adapter';
export { deliveryReceipt } from './receipt';
