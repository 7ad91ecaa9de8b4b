#!/usr/bin/env node
// Entry point for the `runnel` bin: the CLI is TypeScript run by Node's type stripping.
import '../src/main.ts';
