// What every channel adapter service shares around its adapter (libs/channel): publishing what
// came in, delivering what goes out. See docs/adr/0017-channel-adapter-contract.md.
export * from './directory-projection';
export * from './file-upload';
export * from './inbound-publisher';
export * from './migrations';
export * from './outbound-delivery';
export * from './outbound-files';
export * from './rate-limiter';
export * from './wait-in-line';
