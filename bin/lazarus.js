#!/usr/bin/env node
// The `lazarus` operator CLI. The project ships TypeScript sources; tsx loads them on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../apps/cli/cli.ts');
