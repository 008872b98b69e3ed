export { DEMO_PASSWORD } from './directory/demo-directory';
export * from './service';
