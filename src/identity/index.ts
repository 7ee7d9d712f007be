export * from './authenticator.js';
export * from './digest-secrets.js';
export * from './passwords.js';
export * from './claims.js';
