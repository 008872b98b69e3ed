// Workforce planning as plain functions: no framework, no I/O. services/tickets feeds them the
// stored traffic, presence and directory.
export * from './erlang-c';
export * from './staffing-plan';
