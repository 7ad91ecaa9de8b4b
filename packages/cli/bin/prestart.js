// `npm start`'s first step (the `prestart` script): the same Node.js version check as the runnel bin, so an
// unsupported Node prints the one line that names what to install instead of failing on TypeScript, then the
// gateway's web console bundle (packages/gateway/scripts/build-console.ts), which `runnel dev` serves at /ui.
import { nodeVersionProblem } from './node-version-check.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem === undefined) {
  await import(new URL('../../gateway/scripts/build-console.ts', import.meta.url).href);
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
