// Loaded before every node:test file (`--import`, from scripts/run-tests.ts). Property tests draw from
// FUZZ_SEED when it is set, so a failure replays from the seed it printed; CI sets one fixed seed, so a
// landing never depends on which inputs a run happened to draw (local runs keep exploring new ones).
import fc from 'fast-check'

const seed = process.env.FUZZ_SEED
if (seed !== undefined && seed !== '') {
  if (!/^-?\d+$/.test(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(seed)}`)
  fc.configureGlobal({ seed: Number(seed) })
}
