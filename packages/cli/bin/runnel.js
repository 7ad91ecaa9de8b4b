#!/usr/bin/env -S node --initial-old-space-size=128
// Entry point for the `runnel` bin and `npm start`. The CLI is TypeScript run by
// Node's type stripping; the version check comes first, from plain JavaScript,
// and the TypeScript is imported dynamically so that a Node.js that cannot load
// it never tries (a static import would be resolved before any check runs).
import { nodeVersionProblem } from './node-version-check.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem === undefined) {
  await import('../src/main.ts');
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
