import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'
import { EvmConfigError, loadEvmConfig, usdcBase, usdcBaseSepolia } from './Config'

// anvil's public test key #0; never a real secret.
const settlerKey = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcc8c5ebc0d9a0bd5f'
const local = {
  EVM_RPC_URL: 'http://127.0.0.1:8545',
  EVM_CHAIN_ID: '31337',
  EVM_TOKEN_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  SETTLER_PRIVATE_KEY: settlerKey,
}

describe('loadEvmConfig', () => {
  test('reads a local chain with USDC-like defaults', () => {
    const config = loadEvmConfig(local)
    assert.equal(config.rpcUrl, 'http://127.0.0.1:8545')
    assert.equal(config.chainId, 31337)
    assert.equal(config.tokenAddress, '0x5FbDB2315678afecb367f032d93F642f64180aa3', 'checksummed')
    assert.equal(config.tokenName, 'USD Coin')
    assert.equal(config.tokenVersion, '2')
    assert.equal(config.tokenDecimals, 6)
    assert.equal(config.confirmations, 1)
    assert.equal(config.settlerPrivateKey, settlerKey)
  })

  test('Base and Base Sepolia need no token settings; their USDC EIP-712 names differ', () => {
    const base = loadEvmConfig({ EVM_RPC_URL: 'https://mainnet.base.org', EVM_CHAIN_ID: '8453', SETTLER_PRIVATE_KEY: settlerKey })
    assert.equal(base.tokenAddress, usdcBase.tokenAddress)
    assert.equal(base.tokenName, 'USD Coin')
    const sepolia = loadEvmConfig({ EVM_RPC_URL: 'https://sepolia.base.org', EVM_CHAIN_ID: '84532', SETTLER_PRIVATE_KEY: settlerKey })
    assert.equal(sepolia.tokenAddress, '0x036CbD53842c5426634e7929541eC2318f3dCF7e')
    assert.equal(sepolia.tokenName, usdcBaseSepolia.tokenName)
    assert.equal(sepolia.tokenName, 'USDC')
    assert.equal(sepolia.tokenVersion, '2')
  })

  test('explicit settings win over the known-token defaults', () => {
    const config = loadEvmConfig({
      ...local,
      EVM_TOKEN_NAME: 'Euro Coin',
      EVM_TOKEN_VERSION: '1',
      EVM_TOKEN_DECIMALS: '18',
      EVM_CONFIRMATIONS: '3',
      EVM_POLLING_INTERVAL_MS: '250',
      EVM_RECEIPT_TIMEOUT_MS: '30000',
    })
    assert.deepEqual(
      [
        config.tokenName,
        config.tokenVersion,
        config.tokenDecimals,
        config.confirmations,
        config.pollingIntervalMs,
        config.receiptTimeoutMs,
      ],
      ['Euro Coin', '1', 18, 3, 250, 30000],
    )
  })

  test('lists every problem at once, in plain words', () => {
    assert.throws(
      () => loadEvmConfig({ EVM_RPC_URL: 'ftp://x', EVM_CHAIN_ID: 'base', EVM_TOKEN_ADDRESS: '0x12', EVM_CONFIRMATIONS: '0' }),
      (error: unknown) => {
        assert.ok(error instanceof EvmConfigError)
        assert.match(error.message, /EVM_RPC_URL must be an http\(s\) URL/)
        assert.match(error.message, /EVM_CHAIN_ID must be a whole number/)
        assert.match(error.message, /EVM_TOKEN_ADDRESS must be a 0x-prefixed 20-byte address/)
        assert.match(error.message, /EVM_CONFIRMATIONS must be at least 1/)
        assert.match(error.message, /SETTLER_PRIVATE_KEY is required/)
        return true
      },
    )
    assert.throws(() => loadEvmConfig({}), /EVM_RPC_URL is required[\s\S]*EVM_CHAIN_ID is required/)
  })

  test('EVM_ESCROW_ADDRESS names the session escrow (checksummed); unset means no sessions', () => {
    assert.equal(loadEvmConfig(local).escrowAddress, undefined)
    assert.equal(loadEvmConfig({ ...local, EVM_ESCROW_ADDRESS: ' ' }).escrowAddress, undefined)
    const config = loadEvmConfig({ ...local, EVM_ESCROW_ADDRESS: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' })
    assert.equal(config.escrowAddress, '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512')
    assert.throws(
      () => loadEvmConfig({ ...local, EVM_ESCROW_ADDRESS: '0xe7f1725e' }),
      /EVM_ESCROW_ADDRESS must be a 0x-prefixed 20-byte address/,
    )
  })

  test('requires a token address off Base', () => {
    assert.throws(() => loadEvmConfig({ ...local, EVM_TOKEN_ADDRESS: '' }), /EVM_TOKEN_ADDRESS is required on chain 31337/)
  })

  test('never shows the private key, not even when it is invalid', () => {
    const bad = '0x' + 'f'.repeat(64) // above the curve order: not a valid key
    assert.throws(
      () => loadEvmConfig({ ...local, SETTLER_PRIVATE_KEY: bad }),
      (error: unknown) =>
        error instanceof EvmConfigError && /not a valid secp256k1 private key/.test(error.message) && !error.message.includes(bad),
    )
    const config = loadEvmConfig(local)
    assert.doesNotMatch(JSON.stringify(config), /ac0974bec/)
    assert.doesNotMatch(inspect(config), /ac0974bec/)
  })
})
