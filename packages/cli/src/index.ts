export { type DevOptions, startDev } from './commands/dev.ts';
