export * from './auto-response';
export * from './delivery-status';
export * from './html';
export * from './normalise';
export * from './quoted-reply';
export * from './render';
export * from './threading';
