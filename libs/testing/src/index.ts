export * from './kafka';
export * from './postgres';
export * from './mail';
export * from './wait';
export * from './pipeline';
export * from './adversarial-mail';
export * from './fakes/telegram-bot-api';
export * from './fakes/vk-api';
