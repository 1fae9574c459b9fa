// A smart-contract wallet (ERC-1271) pays: its owner signs, the token asks the wallet, the rail
// verifies with viem's verifyTypedData and submits through the `bytes signature` overload.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type Address, createWalletClient, getAddress, http, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { VerificationFailedError } from '@/lib/protocol/Problem'
import { loadArtifact } from '@/scripts/chain/compile'
import { anvilAccount, localChain } from '@/scripts/chain/deploy'
import {
  type EvmFixture,
  authorizationPayload,
  erc20Abi,
  freshRecipient,
  mppChallenge,
  nowSeconds,
  price,
  setupEvm,
  signAuthorization,
} from './evm-fixtures'

describe('EVM rail: ERC-1271 smart-contract wallet', () => {
  let fixture: EvmFixture
  let wallet: Address
  const owner = privateKeyToAccount(generatePrivateKey())

  before(async () => {
    fixture = await setupEvm()
    const artifact = await loadArtifact('TestWallet1271')
    const deployer = createWalletClient({
      account: anvilAccount(0),
      chain: localChain(fixture.chain.rpcUrl, fixture.chain.chainId),
      transport: http(fixture.chain.rpcUrl),
    })
    const deployHash = await deployer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [owner.address] })
    const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash: deployHash, pollingInterval: 50 })
    wallet = getAddress(receipt.contractAddress!)
    const mint = await deployer.writeContract({
      address: fixture.chain.token,
      abi: erc20Abi,
      functionName: 'mint',
      args: [wallet, 10n * price],
    })
    await fixture.publicClient.waitForTransactionReceipt({ hash: mint, pollingInterval: 50 })
  })
  after(async () => {
    await fixture?.close()
  })

  test('pays an MPP authorization signed by its owner', async () => {
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    // The owner's key signs on behalf of the wallet: `from` is the contract, not the owner.
    const payload = await authorizationPayload(fixture, owner, challenge, { from: wallet })
    const before = await fixture.balanceOf(wallet)
    const settlement = await fixture.rail.settleMppCredential({ challenge, payload })
    assert.equal(settlement.payer, wallet)
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal(await fixture.balanceOf(wallet), before - price)
  })

  test('pays an x402 exact authorization', async () => {
    const recipient = freshRecipient()
    const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 60 })
    const { authorization, signature } = await signAuthorization(owner, fixture.domain, {
      from: wallet,
      to: recipient,
      value: price,
      validBefore: BigInt(nowSeconds() + 60),
      nonce: toHex(randomBytes(32)),
    })
    const settlement = await fixture.rail.settleX402({
      requirements,
      payload: { x402Version: 2, accepted: requirements, payload: { signature, authorization } },
    })
    assert.equal(settlement.payer, wallet)
    assert.equal(await fixture.balanceOf(recipient), price)
  })

  test('rejects a signature the wallet does not accept, moving nothing', async () => {
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const stranger = privateKeyToAccount(generatePrivateKey())
    const payload = await authorizationPayload(fixture, stranger, challenge, { from: wallet })
    const before = await fixture.balanceOf(wallet)
    await assert.rejects(fixture.rail.settleMppCredential({ challenge, payload }), (error: unknown) => {
      assert.ok(error instanceof VerificationFailedError)
      assert.match(error.detail, /smart wallet 0x[0-9a-fA-F]{40} did not accept the signature \(ERC-1271\)/)
      return true
    })
    assert.equal(await fixture.balanceOf(wallet), before)
    assert.equal(await fixture.balanceOf(recipient), 0n)
  })
})
