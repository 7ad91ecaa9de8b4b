import { runTarget } from './fuzz-runner.ts';
import { createTarget } from './fuzz-targets.ts';

const name = process.argv[2] as 'kafka';
const s = await runTarget(createTarget(name), { seed: 9, inputs: 20000 });
console.log(s.elapsedMs);
