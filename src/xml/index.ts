export * from './namespaces.js';
export * from './parse.js';
export * from './write.js';
