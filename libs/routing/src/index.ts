// Routing policy as plain functions: no framework, no I/O. services/router wires it to the bus
// and to its Postgres state.
export * from './answer-time';
export * from './assignment';
export * from './automatic-reply';
export * from './business-duration';
export * from './capacity';
export * from './calendar';
export * from './classification';
export * from './commands';
export * from './customer-texts';
export * from './escalation';
export * from './identity';
export * from './language';
export * from './rule-preview';
export * from './sla';
export * from './survey-answer';
export * from './threading';
