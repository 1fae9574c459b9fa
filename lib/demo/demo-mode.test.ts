import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mnemonicToAccount } from 'viem/accounts'
import { toHex } from 'viem'
import { demoMerchantAddress, demoPayerPrivateKey } from './demo-accounts'
import { isDemoMode } from './demo-mode'
import { demoTerminalCommandsFromEnv } from './terminal-commands'

const local = { TOLLGATE_DEMO: '1', EVM_CHAIN_ID: '31337', EVM_RPC_URL: 'http://127.0.0.1:8545', EVM_TOKEN_ADDRESS: '0x' + '5'.repeat(40) }

test('demo mode needs TOLLGATE_DEMO=1 and the local chain, like the checkout test wallet', () => {
  assert.equal(isDemoMode(local), true)
  assert.equal(isDemoMode({ ...local, TOLLGATE_DEMO: undefined }), false)
  assert.equal(isDemoMode({ ...local, TOLLGATE_DEMO: '' }), false)
  assert.equal(isDemoMode({ ...local, TOLLGATE_DEMO: 'true' }), false)
  assert.equal(isDemoMode({ ...local, EVM_CHAIN_ID: '8453' }), false, 'never on Base')
  assert.equal(isDemoMode({ ...local, EVM_CHAIN_ID: '84532' }), false, 'never on Base Sepolia')
  assert.equal(isDemoMode({ ...local, EVM_CHAIN_ID: undefined }), false)
  assert.equal(isDemoMode({ ...local, EVM_RPC_URL: ' ' }), false, 'no chain, no demo')
})

test('the home page gets the demo commands in demo mode only', () => {
  const commands = demoTerminalCommandsFromEnv({ ...local, PUBLIC_URL: 'http://127.0.0.1:4100' })
  assert.deepEqual(
    commands?.map((c) => c.id),
    ['mppx', 'x402', 'mcp', 'mppx-rpc', 'session'],
  )
  assert.ok(commands?.slice(0, 2).every((c) => c.command.includes('http://127.0.0.1:4100/l/demo')))
  assert.ok(commands?.[2]?.command.endsWith(' http://127.0.0.1:4100/mcp'))
  assert.ok(commands?.[3]?.command.includes(' http://127.0.0.1:4100/l/demo-rpc '))
  assert.ok(commands?.[1]?.command.includes(`TOKEN_ADDRESS=${local.EVM_TOKEN_ADDRESS}`))
  assert.ok(commands?.[4]?.command.includes(`RPC_URL=${local.EVM_RPC_URL} `), 'the session client opens its channel on this chain')
  assert.ok(commands?.[4]?.command.endsWith('/l/demo-session 5'))
  assert.equal(demoTerminalCommandsFromEnv({ ...local, TOLLGATE_DEMO: undefined }), null)
  assert.equal(demoTerminalCommandsFromEnv({ ...local, EVM_CHAIN_ID: '8453' }), null)
})

test("the demo accounts are anvil's default accounts #0 (merchant) and #1 (payer)", () => {
  const mnemonic = 'test test test test test test test test test test test junk'
  assert.equal(mnemonicToAccount(mnemonic, { addressIndex: 0 }).address, demoMerchantAddress)
  assert.equal(toHex(mnemonicToAccount(mnemonic, { addressIndex: 1 }).getHdKey().privateKey!), demoPayerPrivateKey)
})
