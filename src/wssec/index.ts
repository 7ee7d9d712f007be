export * from './security-header.js';
export * from './time.js';
