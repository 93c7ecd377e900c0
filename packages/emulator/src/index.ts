export { EmulatorError } from './errors.js';
export type { EmulatorOptions, RunningEmulator } from './options.js';
export { startEmulator } from './server.js';
