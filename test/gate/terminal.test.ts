// The README's "Paying from a terminal" is true: the mppx CLI command (with mppx.config.mjs) and the
// @x402/fetch example, taken verbatim from README.md, each pay /l/demo on a running server.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { rootDir } from '@/scripts/app'
import { type Stack, startStack } from '@/test/support/stack'
import { baseUnits, ledger } from './internal/ledger'

const readme = readFileSync(path.join(rootDir, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Paying from a terminal'), readme.indexOf('## Pricing your own API route'))
const codeBlocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang: lang!, code: code! }))

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('paying from a terminal, as the README says', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack?.stop()
  })

  test('the mppx CLI command pays /l/demo with mppx.config.mjs', async () => {
    const command = codeBlocks.find((b) => b.lang === 'sh' && b.code.includes('npx mppx'))
    assert.ok(command, 'the README shows the mppx command')
    const key = /MPPX_PRIVATE_KEY=(0x[0-9a-f]{64})/.exec(command.code)?.[1]
    assert.equal(key, anvilPrivateKey(1), 'the README key is anvil test account #1, as the demo prints')
    const args = command.code.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean)
    const url = args.find((a) => a.startsWith('http://'))!
    assert.equal(url, 'http://127.0.0.1:3000/l/demo')
    assert.deepEqual(args.slice(args.indexOf(url) + 1), ['-c', 'mppx.config.mjs'])

    const chain = ledger(stack.chain)
    const before = await chain.balanceOf(stack.merchant)
    const bin = path.join(rootDir, 'node_modules', 'mppx', 'dist', 'bin.js')
    const { code, output } = await run(process.execPath, [bin, url.replace('http://127.0.0.1:3000', stack.url), '-c', 'mppx.config.mjs'], {
      cwd: rootDir,
      env: { MPPX_PRIVATE_KEY: key! },
    })
    assert.equal(code, 0, output)
    assert.match(output, /A well-formed 402 is the beginning of a beautiful friendship/)
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
  })

  test('the @x402/fetch example pays /l/demo', async () => {
    const example = codeBlocks.find((b) => b.lang === 'js' && b.code.includes('@x402/fetch'))
    assert.ok(example, 'the README shows the x402 example')
    // The example runs as its own module beside a link to this project's node_modules.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-readme-'))
    try {
      symlinkSync(path.join(rootDir, 'node_modules'), path.join(dir, 'node_modules'))
      const script = example.code.replace('http://127.0.0.1:3000', stack.url).replace("'eip155:31337'", `'eip155:${stack.chain.chainId}'`)
      writeFileSync(path.join(dir, 'pay.mjs'), script)
      const chain = ledger(stack.chain)
      const before = await chain.balanceOf(stack.merchant)
      const { code, output } = await run(process.execPath, ['pay.mjs'], {
        cwd: dir,
        env: { PRIVATE_KEY: anvilPrivateKey(2), TOKEN_ADDRESS: stack.chain.token },
      })
      assert.equal(code, 0, output)
      assert.match(output, /^200 \S+ \{"fortune"/)
      assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
