// Runs every suite `npm test` promises and prints one closing line CI can read:
// `tests: N passed, N failed`. Steps: typecheck, lint, node:test suites, Playwright.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { ensureBuild } from './app'

type Tally = { passed: number; failed: number }

const root = path.resolve(import.meta.dirname, '..')
const resultsDir = path.join(root, 'test-results')
mkdirSync(resultsDir, { recursive: true })

const mode = process.argv[2] ?? 'all'
/** The seed CI's property tests draw from; changing it is a deliberate change of the inputs CI checks. */
const ciFuzzSeed = '20261204'
const only = process.argv.slice(3)

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

function findTests(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) findTests(full, out)
    else if (/\.test\.tsx?$/.test(name)) out.push(path.relative(root, full))
  }
  return out
}

function tallyTap(file: string): Tally {
  if (!existsSync(file)) return { passed: 0, failed: 1 }
  const tap = readFileSync(file, 'utf8')
  const pass = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0)
  const fail = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0)
  const cancelled = Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0)
  return { passed: pass, failed: fail + cancelled }
}

function tallyPlaywright(file: string): Tally {
  if (!existsSync(file)) return { passed: 0, failed: 1 }
  const report = JSON.parse(readFileSync(file, 'utf8')) as { stats?: { expected?: number; unexpected?: number; flaky?: number } }
  const s = report.stats ?? {}
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0 }
}

async function nodeTests(): Promise<Tally> {
  const files = only.length > 0 ? only : ['lib', 'components', 'scripts', 'test'].flatMap((dir) => findTests(path.join(root, dir)))
  if (files.length === 0) return { passed: 0, failed: 0 }
  const tap = path.join(resultsDir, 'node-tests.tap')
  // CI replays one fixed seed for every property test and fuzz campaign (test/support/fuzz-seed.ts).
  const fuzzSeed = process.env.FUZZ_SEED || (process.env.CI ? ciFuzzSeed : '')
  if (fuzzSeed) console.log(`property tests and fuzz campaigns draw from FUZZ_SEED=${fuzzSeed}`)
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './test/support/fuzz-seed.ts',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    fuzzSeed ? { FUZZ_SEED: fuzzSeed } : {},
  )
  return tallyTap(tap)
}

async function playwrightTests(): Promise<Tally> {
  const json = path.join(resultsDir, 'playwright.json')
  await run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: json })
  return tallyPlaywright(json)
}

async function main() {
  const total: Tally = { passed: 0, failed: 0 }
  const add = (name: string, t: Tally) => {
    total.passed += t.passed
    total.failed += t.failed
    console.log(`\n[${name}] ${t.passed} passed, ${t.failed} failed\n`)
  }
  if (mode === 'all') {
    add('typecheck', (await run('npx', ['tsc', '--noEmit'])) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 })
    add('lint', (await run('npx', ['eslint', '.', '--max-warnings=0'])) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 })
    // No import cycles: the layers (protocol -> gate -> rails -> store) stay a graph a newcomer can read.
    add(
      'cycles',
      (await run('npx', [
        'madge',
        '--circular',
        '--no-spinner',
        '--ts-config',
        'tsconfig.json',
        '--extensions',
        'ts,tsx',
        'lib',
        'app',
        'components',
      ])) === 0
        ? { passed: 1, failed: 0 }
        : { passed: 0, failed: 1 },
    )
    // Formatting is part of lint: `npm run format` rewrites what this check refuses.
    add(
      'format',
      (await run('npx', ['prettier', '--check', '.', '--log-level=warn'])) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 },
    )
  }
  // End-to-end suites start `next start` on the production build: build once, before any of them.
  if (mode !== 'unit' || only.length === 0) {
    try {
      ensureBuild()
    } catch {
      add('build', { passed: 0, failed: 1 })
    }
  }
  if (mode === 'all' || mode === 'unit') add('node:test', await nodeTests())
  if (mode === 'all' || mode === 'e2e') add('playwright', await playwrightTests())
  console.log(`tests: ${total.passed} passed, ${total.failed} failed`)
  process.exit(total.failed === 0 ? 0 : 1)
}

void main()
