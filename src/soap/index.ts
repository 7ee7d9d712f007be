export * from './addressing.js';
export * from './envelope.js';
export * from './fault.js';
export * from './response.js';
