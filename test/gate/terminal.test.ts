// "Paying from a terminal" is true, three ways at once: the README shows exactly the commands the demo
// prints and the home page shows (lib/demo/terminal-commands.ts), its @x402/fetch example is the
// script those commands run, and each command, run by a shell as printed, pays /l/demo (or the paid
// JSON-RPC gateway /l/demo-rpc, or /l/demo-session per request) on a running server.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { blockNumberCall, demoTerminalCommands, type TerminalCommand } from '@/lib/demo/terminal-commands'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { rootDir } from '@/scripts/app'
import { type Stack, startStack } from '@/test/support/stack'
import { baseUnits, ledger } from './internal/ledger'

const readme = readFileSync(path.join(rootDir, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Paying from a terminal'), readme.indexOf('## Pricing your own API route'))
const codeBlocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang: lang!, code: code! }))

/** Runs `command` the way a person pastes it: one shell, in the project folder. */
function shell(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: rootDir,
      env: { ...process.env, NO_COLOR: '1', npm_config_offline: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const command = (commands: TerminalCommand[], id: string) => commands.find((c) => c.id === id)!.command

test('the README shows the commands the demo prints, and its x402 example is the script they run', () => {
  const printed = demoTerminalCommands({ publicUrl: 'http://127.0.0.1:3000', tokenAddress: '0x' + '0'.repeat(40) })
  const mppx = codeBlocks.find((b) => b.lang === 'sh' && b.code.includes('npx mppx'))
  assert.ok(mppx, 'the README shows the mppx command')
  assert.equal(mppx.code.trimEnd(), command(printed, 'mppx'))
  assert.match(mppx.code, new RegExp(`MPPX_PRIVATE_KEY=${anvilPrivateKey(1)} `), 'the key is anvil test account #1')

  const example = codeBlocks.find((b) => b.lang === 'js' && b.code.includes('@x402/fetch'))
  assert.ok(example, 'the README shows the x402 example')
  assert.equal(example.code, readFileSync(path.join(rootDir, 'scripts', 'pay-with-x402.mjs'), 'utf8'))
  assert.match(command(printed, 'x402'), /node scripts\/pay-with-x402\.mjs http:\/\/127\.0\.0\.1:3000\/l\/demo$/)

  const rpc = codeBlocks.find((b) => b.lang === 'sh' && b.code.includes('/l/demo-rpc'))
  assert.ok(rpc, 'the README shows the paid JSON-RPC command')
  assert.equal(rpc.code.trimEnd(), command(printed, 'mppx-rpc'))
  assert.ok(rpc.code.includes(`-d '${blockNumberCall}' http://127.0.0.1:3000/l/demo-rpc -c mppx.config.mjs`))
  const sessions = readme.slice(readme.indexOf('## Pay per request (sessions)'), readme.indexOf('## More'))
  const session = [...sessions.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, code]) => code!)[0]
  assert.ok(session, 'the README shows the session command')
  assert.equal(session.trimEnd(), command(printed, 'session'))
})

describe('paying from a terminal, as the demo prints it', () => {
  let stack: Stack
  let commands: TerminalCommand[]
  before(async () => {
    stack = await startStack({ demoRpc: true })
    commands = demoTerminalCommands({ publicUrl: stack.url, tokenAddress: stack.chain.token, rpcUrl: stack.chain.rpcUrl })
  })
  after(async () => {
    await stack?.stop()
  })

  for (const id of ['mppx', 'x402']) {
    test(`the ${id} command pays /l/demo from anvil test account #1`, async () => {
      const chain = ledger(stack.chain)
      const [merchantBefore, payerBefore] = [await chain.balanceOf(stack.merchant), await chain.balanceOf(anvilAccount(1).address)]
      const { code, output } = await shell(command(commands, id))
      assert.equal(code, 0, output)
      assert.match(output, /A well-formed 402 is the beginning of a beautiful friendship/)
      if (id === 'x402') assert.match(output, /^200 \S+ \{"fortune"/m)
      assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + baseUnits('0.01'))
      assert.equal(await chain.balanceOf(anvilAccount(1).address), payerBefore - baseUnits('0.01'))
    })
  }

  test('the mppx-rpc command pays eth_blockNumber at /l/demo-rpc ($0.001) and prints the block number', async () => {
    const chain = ledger(stack.chain)
    const [merchantBefore, payerBefore] = [await chain.balanceOf(stack.merchant), await chain.balanceOf(anvilAccount(1).address)]
    const { code, output } = await shell(command(commands, 'mppx-rpc'))
    assert.equal(code, 0, output)
    const answer = /\{"jsonrpc":"2\.0","id":1,"result":"(0x[0-9a-f]+)"\}/.exec(output)
    assert.ok(answer, `the JSON-RPC answer is printed: ${output}`)
    // The block it names exists, and the settlement of this very call was mined after it.
    assert.ok(BigInt(answer[1]!) > 0n && BigInt(answer[1]!) < (await chain.blockNumber()))
    assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + baseUnits('0.001'))
    assert.equal(await chain.balanceOf(anvilAccount(1).address), payerBefore - baseUnits('0.001'))
  })

  test('the session command pays /l/demo-session 5 times from one channel and closes it: 5 × $0.001 moved, the rest refunded', async () => {
    const chain = ledger(stack.chain)
    const [merchantBefore, payerBefore] = [await chain.balanceOf(stack.merchant), await chain.balanceOf(anvilAccount(1).address)]
    const { code, output } = await shell(command(commands, 'session'))
    assert.equal(code, 0, output)
    assert.match(output, /^channel 0x[0-9a-f]{64} opened$/m)
    for (let i = 1; i <= 5; i++) assert.match(output, new RegExp(`^request ${i}: 200 \\{"answer"`, 'm'))
    assert.match(output, /receipt: accepted \$0\.005, spent \$0\.005/)
    assert.match(output, /^closed: accepted \$0\.005, spent \$0\.005, close tx 0x[0-9a-f]{64}; deposit \$0\.1, refunded \$0\.095$/m)
    assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + baseUnits('0.005'))
    assert.equal(await chain.balanceOf(anvilAccount(1).address), payerBefore - baseUnits('0.005'))
  })
})
