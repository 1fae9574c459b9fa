// "Paying for a tool over MCP" is true: the README shows the command the demo prints and the home page shows
// (lib/demo/terminal-commands.ts, id "mcp"), its example is the script that command runs, and the command, run
// by a shell as printed, pays the fortune tool of a running server with mppx's McpClient.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { demoTerminalCommands } from '@/lib/demo/terminal-commands'
import { rootDir } from '@/scripts/app'
import { anvilAccount } from '@/scripts/chain/deploy'
import { baseUnits, ledger } from '@/test/gate/internal/ledger'
import { type Stack, startStack } from '@/test/support/stack'

const readme = readFileSync(path.join(rootDir, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Paying for a tool over MCP'), readme.indexOf('## More'))
const codeBlocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang: lang!, code: code! }))
const mcpCommand = (publicUrl: string) =>
  demoTerminalCommands({ publicUrl, tokenAddress: '0x' + '0'.repeat(40) }).find((c) => c.id === 'mcp')!

function shell(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: rootDir,
      env: { ...process.env, NO_COLOR: '1' },
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

test('the README shows the MCP command the demo prints, and its example is the script that command runs', () => {
  const [command, example] = [codeBlocks.find((b) => b.lang === 'sh'), codeBlocks.find((b) => b.lang === 'js')]
  assert.ok(command && example, 'the section has the command and the example')
  assert.equal(command.code.trimEnd(), mcpCommand('http://127.0.0.1:3000').command)
  assert.equal(example.code, readFileSync(path.join(rootDir, 'scripts', 'pay-tool-with-mcp.mjs'), 'utf8'))
})

let stack: Stack
before(async () => {
  stack = await startStack()
})
after(async () => {
  await stack?.stop()
})

test('the MCP command, run as printed, lists the priced tools and pays the fortune tool from anvil test account #1', async () => {
  const chain = ledger(stack.chain)
  const payer = anvilAccount(1).address
  const [merchantBefore, payerBefore] = [await chain.balanceOf(stack.merchant), await chain.balanceOf(payer)]
  const { code, output } = await shell(mcpCommand(stack.url).command)
  assert.equal(code, 0, output)
  assert.match(output, /^fortune 10000$/m)
  assert.match(output, /^word_count free$/m)
  assert.match(output, /^demo 10000$/m, 'the links sold as tools are listed too')
  const receipt = JSON.parse(/^receipt (.*)$/m.exec(output)![1]!) as { status: string; reference: string; challengeId: string }
  assert.equal(receipt.status, 'success')
  assert.match(receipt.reference, /^0x[0-9a-f]{64}$/)
  assert.equal((await chain.transfersIn(receipt.reference as `0x${string}`)).length, 1)
  assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + baseUnits('0.01'))
  assert.equal(await chain.balanceOf(payer), payerBefore - baseUnits('0.01'))
})
