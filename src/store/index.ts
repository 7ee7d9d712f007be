export * from './types.js';
export { SqliteStore } from './sqlite.js';
export * from './replay-cache.js';
export { openDataDirectory } from './open.js';
