#!/usr/bin/env node
// Entry point of the `sts` command. The sources are TypeScript and run through tsx, so the
// package needs no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
