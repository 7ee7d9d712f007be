export * from './claims.js';
export * from './issue.js';
export * from './relying-party.js';
export * from './rst.js';
export * from './rstr.js';
export * from './uris.js';
export * from './client.js';
