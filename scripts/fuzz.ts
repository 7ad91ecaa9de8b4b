/**
 * `npm run fuzz -- --inputs N [--seed S] [--target kafka|batch|grpc|http]`:
 * the long fuzz run (docs/fuzzing.md). The fuzzer lives with the tests
 * (test/fuzz/, whose fixtures fuzz.test.ts replays); this launcher only loads
 * it, through a computed specifier so the scripts project does not compile
 * test files.
 */
const main = new URL('../test/fuzz/fuzz-main.ts', import.meta.url);
await import(main.href);
