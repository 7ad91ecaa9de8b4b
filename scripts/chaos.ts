/**
 * `node scripts/chaos.ts --minutes N [--seed S] [--faults kill,pause,...]`:
 * the long chaos run against a real cluster. The harness lives with the
 * black-box tests (test/chaos/, see its README); this launcher only loads
 * it, through a computed specifier so the scripts project does not compile
 * test files.
 */
const main = new URL('../test/chaos/chaos-main.ts', import.meta.url);
await import(main.href);
