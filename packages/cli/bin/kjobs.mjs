#!/usr/bin/env node
// The kjobs command: runs src/main.ts through tsx (Node 20 has no native TypeScript).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
