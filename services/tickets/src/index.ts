export { DEMO_PASSWORD, demoSignIns } from './directory/demo-directory';
export { isDemo } from './tickets-settings';
export * from './service';
