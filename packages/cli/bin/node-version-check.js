// Plain JavaScript on purpose: this runs before any TypeScript is imported, so a
// Node.js that cannot strip types still loads it and can say what to install,
// instead of dying with ERR_UNKNOWN_FILE_EXTENSION on the first `.ts` import.
// Keep it in syntax that old Node versions parse (no TypeScript, no newer APIs).

/**
 * The oldest release of each line that runs `.ts` files without flags: type
 * stripping became default in 22.18.0 and 23.6.0. Keep in step with
 * `supportedNodeRange`.
 * @type {ReadonlyArray<{ major: number, minor: number }>}
 */
const firstSupported = [
  { major: 22, minor: 18 },
  { major: 23, minor: 6 },
];

/** The same rule as npm sees it: "engines" in package.json (the root and every workspace) says this. */
export const supportedNodeRange = '^22.18.0 || >=23.6.0';

/** What a user is told to install. */
export const recommendedNodeMajor = 24;

/**
 * Whether `version` (as in `process.versions.node`, with or without a leading
 * `v`) can run Runnel: 22.18+ on the 22 line, 23.6+ on the 23 line, any 24+.
 * @param {string} version
 * @returns {boolean}
 */
export function nodeVersionSupported(version) {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const last = firstSupported[firstSupported.length - 1];
  if (last !== undefined && major > last.major) return true;
  const line = firstSupported.find((entry) => entry.major === major);
  return line !== undefined && minor >= line.minor;
}

/**
 * The one line to print when `version` cannot run Runnel, or undefined when it can.
 * @param {string} version
 * @returns {string | undefined}
 */
export function nodeVersionProblem(version) {
  if (nodeVersionSupported(version)) return undefined;
  const shown = version.startsWith('v') ? version : `v${version}`;
  return (
    `runnel needs Node.js 22.18 or newer (this is ${shown}); ` +
    `install Node.js ${recommendedNodeMajor} LTS from https://nodejs.org/en/download ` +
    `or with \`nvm install ${recommendedNodeMajor}\`, then run it again`
  );
}
