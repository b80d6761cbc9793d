#!/usr/bin/env node
// `taskoverflow`'s entry point. Plain JavaScript that any Node parses, so that on an older Node
// the user reads which one is needed instead of ERR_UNKNOWN_FILE_EXTENSION from the .ts files.
import { exitOnOldNode } from '@taskoverflow/platform/node-version';

exitOnOldNode();
await import('../src/main.ts');
