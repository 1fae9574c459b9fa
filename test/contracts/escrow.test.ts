// SessionEscrow on anvil: every function of draft-evm-session-00's mandatory core and EIP-3009 relayed
// profile, each of their reverts (as a simulation and as a mined transaction that moves nothing), the
// forced-close path with time travel, and the guarantees the spec promises payer and payee.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Address,
  type Hex,
  encodeFunctionData,
  getAbiItem,
  getAddress,
  hashDomain,
  keccak256,
  stringToHex,
  toFunctionSelector,
  zeroAddress,
  createWalletClient,
  http,
} from 'viem'
import { type LocalAccount, generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as Evm from '@/lib/protocol/methods/evm'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import { loadArtifact } from '@/scripts/chain/compile'
import { anvilAccount, deploySessionEscrow, localChain } from '@/scripts/chain/deploy'
import { type EscrowFixture, highS, randomAddress, randomSalt, startEscrowChain } from './internal/escrow'

const maxUint128 = 2n ** 128n - 1n
const grace = 900n

let f: EscrowFixture
before(async () => {
  f = await startEscrowChain()
})
after(async () => {
  await f?.stop()
})

/** A key with no ETH and no tokens: it only signs. */
const freshKey = (): LocalAccount => privateKeyToAccount(generatePrivateKey())

async function receiveAuthorization(
  signer: LocalAccount,
  terms: { from?: Address; value: bigint; nonce: Hex; validAfter?: bigint; validBefore?: bigint; to?: Address },
) {
  const authorization: Evm.Authorization = {
    from: terms.from ?? signer.address,
    to: terms.to ?? f.escrow,
    value: terms.value.toString(),
    validAfter: (terms.validAfter ?? 0n).toString(),
    validBefore: (terms.validBefore ?? (await f.now()) + 3600n).toString(),
    nonce: terms.nonce,
  }
  const signature = await signer.signTypedData(Evm.receiveWithAuthorizationTypedData(f.tokenDomain, authorization))
  return { authorization, signature }
}

/** Deploys a TestWallet1271 owned by `owner`, funded with `amount` USDC from the payer. */
async function deployWallet(owner: Address, amount: bigint): Promise<Address> {
  const wallet = createWalletClient({
    account: f.payer,
    chain: localChain(f.chain.rpcUrl, f.chain.chainId),
    transport: http(f.chain.rpcUrl),
  })
  const hash = await wallet.deployContract({ abi: f.walletAbi, bytecode: f.walletBytecode, args: [owner] })
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  const address = getAddress(receipt.contractAddress!)
  if (amount > 0n) await f.send(f.payer, { address: f.token, abi: f.tokenAbi, functionName: 'transfer', args: [address, amount] })
  return address
}

/** `owner` makes its TestWallet1271 call `call` (approve, open, requestClose, ...). */
async function viaWallet(owner: LocalAccount, wallet: Address, target: Address, data: Hex) {
  return f.send(owner, { address: wallet, abi: f.walletAbi, functionName: 'execute', args: [target, data] })
}

describe('deployment and views', () => {
  test('the grace period is set at deployment and may not be under 10 minutes', async () => {
    assert.equal(
      await f.publicClient.readContract({ address: f.escrow, abi: EvmSession.escrowAbi, functionName: 'CLOSE_GRACE_PERIOD' }),
      grace,
    )
    assert.equal(
      await f.publicClient.readContract({ address: f.escrow, abi: EvmSession.escrowAbi, functionName: 'MIN_CLOSE_GRACE_PERIOD' }),
      600n,
    )
    await assert.rejects(
      deploySessionEscrow({ rpcUrl: f.chain.rpcUrl, chainId: f.chain.chainId, closeGracePeriodSeconds: 599 }),
      /failed|revert/i,
    )
    const tenMinutes = await deploySessionEscrow({ rpcUrl: f.chain.rpcUrl, chainId: f.chain.chainId, closeGracePeriodSeconds: 600 })
    assert.equal(
      await f.publicClient.readContract({ address: tenMinutes, abi: EvmSession.escrowAbi, functionName: 'CLOSE_GRACE_PERIOD' }),
      600n,
    )
  })

  test('computeChannelId, domainSeparator and hashVoucher agree with the protocol layer (and viem)', async () => {
    const parameters = {
      payer: f.payer.address,
      payee: f.payee.address,
      token: f.token,
      salt: randomSalt(),
      authorizedSigner: randomAddress(),
    }
    const onChain = await f.publicClient.readContract({
      address: f.escrow,
      abi: EvmSession.escrowAbi,
      functionName: 'computeChannelId',
      args: [parameters.payer, parameters.payee, parameters.token, parameters.salt, parameters.authorizedSigner],
    })
    assert.equal(onChain, EvmSession.Channel.computeId({ ...parameters, escrow: f.escrow, chainId: f.chain.chainId }))
    const separator = await f.publicClient.readContract({ address: f.escrow, abi: EvmSession.escrowAbi, functionName: 'domainSeparator' })
    assert.equal(
      separator,
      hashDomain({
        domain: { name: 'EVM Payment Channel', version: '1', chainId: BigInt(f.chain.chainId), verifyingContract: f.escrow },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    )
    for (const amount of [0n, 1n, 123_456n, maxUint128]) {
      const digest = await f.publicClient.readContract({
        address: f.escrow,
        abi: EvmSession.escrowAbi,
        functionName: 'hashVoucher',
        args: [onChain, amount],
      })
      assert.equal(digest, EvmSession.Voucher.hash(f.domain, { channelId: onChain, cumulativeAmount: amount }))
    }
    assert.equal(
      await f.publicClient.readContract({ address: f.escrow, abi: EvmSession.escrowAbi, functionName: 'VOUCHER_TYPEHASH' }),
      keccak256(stringToHex('Voucher(bytes32 channelId,uint128 cumulativeAmount)')),
    )
    assert.equal(
      await f.publicClient.readContract({ address: f.escrow, abi: EvmSession.escrowAbi, functionName: 'DOMAIN_NAME' }),
      'EVM Payment Channel',
    )
  })

  test('the hand-written ABI in lib/protocol matches the compiled contract item for item', async () => {
    const compiled = (await loadArtifact('SessionEscrow')).abi.filter((item) => item.type !== 'constructor')
    const signature = (item: (typeof compiled)[number]) =>
      'name' in item
        ? `${item.type} ${item.name}(${(item.inputs ?? []).map((input) => ('indexed' in input && input.indexed ? `${input.type} indexed` : input.type)).join(',')})`
        : item.type
    assert.deepEqual(EvmSession.escrowAbi.map(signature).sort(), compiled.map(signature).sort())
    for (const item of compiled)
      if (item.type === 'function') {
        const mine = getAbiItem({ abi: EvmSession.escrowAbi, name: item.name as never })
        assert.equal(toFunctionSelector(mine as never), toFunctionSelector(item), item.name)
      }
  })

  test('an unknown channel reads as all zeros', async () => {
    const channel = await f.getChannel(randomSalt())
    assert.equal(channel.payer, zeroAddress)
    assert.equal(channel.finalized, false)
  })
})

describe('open', () => {
  test('pulls the deposit, records the channel under the spec channelId and emits ChannelOpened', async () => {
    const deposit = 1_000_000n
    const before = { payer: await f.balanceOf(f.payer.address), escrow: await f.balanceOf(f.escrow) }
    const { channelId, salt, receipt } = await f.open({ deposit })
    assert.equal(await f.balanceOf(f.payer.address), before.payer - deposit)
    assert.equal(await f.balanceOf(f.escrow), before.escrow + deposit)
    assert.deepEqual(await f.getChannel(channelId), {
      payer: f.payer.address,
      payee: f.payee.address,
      token: f.token,
      authorizedSigner: zeroAddress,
      deposit,
      settled: 0n,
      closeRequestedAt: 0n,
      finalized: false,
    })
    const [opened] = f.events(receipt, 'ChannelOpened')
    assert.deepEqual(opened?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      token: f.token,
      authorizedSigner: zeroAddress,
      salt,
      deposit,
    })
  })

  test('returns the channelId it created', async () => {
    const salt = randomSalt()
    await f.approve(f.payer, 10n)
    const { result } = await f.publicClient.simulateContract({
      address: f.escrow,
      abi: EvmSession.escrowAbi,
      functionName: 'open',
      args: [f.payee.address, f.token, 10n, salt, zeroAddress],
      account: f.payer,
    })
    assert.equal(
      result,
      EvmSession.Channel.computeId({
        payer: f.payer.address,
        payee: f.payee.address,
        token: f.token,
        salt,
        escrow: f.escrow,
        chainId: f.chain.chainId,
      }),
    )
  })

  test('ZeroDeposit, ChannelAlreadyExists, and TransferFailed without an approval or with a token that has no code', async () => {
    await f.rejects(f.payer, { functionName: 'open', args: [f.payee.address, f.token, 0n, randomSalt(), zeroAddress] }, 'ZeroDeposit')
    const { salt } = await f.open({ deposit: 5n })
    await f.approve(f.payer, 5n)
    await f.rejects(f.payer, { functionName: 'open', args: [f.payee.address, f.token, 5n, salt, zeroAddress] }, 'ChannelAlreadyExists', {
      addresses: [f.payer.address],
    })
    await f.approve(f.payer, 0n)
    await f.rejects(f.payer, { functionName: 'open', args: [f.payee.address, f.token, 5n, randomSalt(), zeroAddress] }, 'TransferFailed', {
      addresses: [f.payer.address],
    })
    // An address without code answers every call with success and no data: the escrow must not count that as a deposit.
    await f.rejects(
      f.payer,
      { functionName: 'open', args: [f.payee.address, randomAddress(), 5n, randomSalt(), zeroAddress] },
      'TransferFailed',
    )
  })

  test('a front-runner copying the parameters opens a different channel (the payer is in the id)', async () => {
    const salt = randomSalt()
    const mine = await f.open({ deposit: 7n, salt })
    const theirs = await f.open({ payer: f.stranger, deposit: 7n, salt })
    assert.notEqual(mine.channelId, theirs.channelId)
    assert.equal((await f.getChannel(theirs.channelId)).payer, f.stranger.address)
  })
})

describe('settle', () => {
  test('pays the payee exactly each voucher increase and keeps the channel open', async () => {
    const { channelId } = await f.open({ deposit: 1_000n })
    const payeeBefore = await f.balanceOf(f.payee.address)
    const first = await f.send(f.payee, { functionName: 'settle', args: [channelId, 300n, await f.signVoucher(f.payer, channelId, 300n)] })
    assert.deepEqual(f.events(first, 'Settled')[0]?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      cumulativeAmount: 300n,
      deltaPaid: 300n,
    })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 750n, await f.signVoucher(f.payer, channelId, 750n)] })
    assert.equal(await f.balanceOf(f.payee.address), payeeBefore + 750n)
    const channel = await f.getChannel(channelId)
    assert.equal(channel.settled, 750n)
    assert.equal(channel.finalized, false)
  })

  test('every revert: NotPayee, AmountNotIncreasing, AmountExceedsDeposit, ChannelNotFound', async () => {
    const { channelId } = await f.open({ deposit: 1_000n })
    const watch = { channelId, addresses: [f.payee.address, f.stranger.address] }
    const voucher500 = await f.signVoucher(f.payer, channelId, 500n)
    await f.rejects(f.stranger, { functionName: 'settle', args: [channelId, 500n, voucher500] }, 'NotPayee', watch)
    await f.rejects(f.payer, { functionName: 'settle', args: [channelId, 500n, voucher500] }, 'NotPayee', watch)
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 0n, await f.signVoucher(f.payer, channelId, 0n)] },
      'AmountNotIncreasing',
      watch,
    )
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 500n, voucher500] })
    // Replaying the same voucher, or an older one, pays nothing more.
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 500n, voucher500] }, 'AmountNotIncreasing', watch)
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 400n, await f.signVoucher(f.payer, channelId, 400n)] },
      'AmountNotIncreasing',
      watch,
    )
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 1_001n, await f.signVoucher(f.payer, channelId, 1_001n)] },
      'AmountExceedsDeposit',
      watch,
    )
    const unknown = randomSalt()
    await f.rejects(f.payee, { functionName: 'settle', args: [unknown, 1n, await f.signVoucher(f.payer, unknown, 1n)] }, 'ChannelNotFound')
  })

  test('InvalidSignature: wrong signer, high-s twin, bad v, compact or odd lengths, another channel, escrow or chain', async () => {
    const { channelId } = await f.open({ deposit: 1_000n })
    const watch = { channelId, addresses: [f.payee.address] }
    const good = await f.signVoucher(f.payer, channelId, 100n)
    const other = await f.open({ deposit: 1_000n })
    const invalid: Array<[string, Hex]> = [
      ['signed by a key that is not the payer', await f.signVoucher(freshKey(), channelId, 100n)],
      ['signed by the payee itself', await f.signVoucher(f.payee, channelId, 100n)],
      ['the high-s twin of a valid signature', highS(good)],
      ['v = 0 instead of 27', `${good.slice(0, 130)}00` as Hex],
      ['64-byte compact form', good.slice(0, 130) as Hex],
      ['66 bytes', `${good}00` as Hex],
      ['empty', '0x'],
      ['for another channel', await f.signVoucher(f.payer, other.channelId, 100n)],
      ['for another amount', await f.signVoucher(f.payer, channelId, 99n)],
      ['for another escrow', await f.signVoucher(f.payer, channelId, 100n, { ...f.domain, escrow: randomAddress() })],
      ['for another chain', await f.signVoucher(f.payer, channelId, 100n, { ...f.domain, chainId: 8453 })],
      ['all zeros', `0x${'00'.repeat(65)}`],
    ]
    for (const [, signature] of invalid)
      await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 100n, signature] }, 'InvalidSignature', watch)
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 100n, good] })
  })

  test('a payee cannot take more than the best voucher, neither by settle nor by close', async () => {
    const deposit = 1_000n
    const { channelId } = await f.open({ deposit })
    const best = await f.signVoucher(f.payer, channelId, 300n)
    const payeeBefore = await f.balanceOf(f.payee.address)
    const payerBefore = await f.balanceOf(f.payer.address)
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 301n, best] }, 'InvalidSignature', { channelId })
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, deposit, best] }, 'InvalidSignature', { channelId })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 300n, best] })
    await f.rejects(f.payee, { functionName: 'close', args: [channelId, 400n, best] }, 'InvalidSignature', { channelId })
    await f.send(f.payee, { functionName: 'close', args: [channelId, 300n, best] })
    assert.equal(await f.balanceOf(f.payee.address), payeeBefore + 300n)
    assert.equal(await f.balanceOf(f.payer.address), payerBefore + deposit - 300n)
  })

  test('an authorizedSigner signs instead of the payer; the payer key no longer counts', async () => {
    const sessionKey = freshKey()
    const { channelId } = await f.open({ deposit: 1_000n, authorizedSigner: sessionKey.address })
    assert.equal((await f.getChannel(channelId)).authorizedSigner, sessionKey.address)
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 10n, await f.signVoucher(f.payer, channelId, 10n)] },
      'InvalidSignature',
      {
        channelId,
      },
    )
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 10n, await f.signVoucher(sessionKey, channelId, 10n)] })
  })

  test('ChannelFinalized once closed', async () => {
    const { channelId } = await f.open({ deposit: 10n })
    await f.send(f.payee, { functionName: 'close', args: [channelId, 0n, '0x'] })
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 5n, await f.signVoucher(f.payer, channelId, 5n)] },
      'ChannelFinalized',
      {
        channelId,
      },
    )
  })
})

describe('ERC-1271 signers', () => {
  test('a contract-wallet payer opens, and its owner-signed vouchers settle; other keys and high-s do not', async () => {
    const owner = anvilAccount(5)
    const wallet = await deployWallet(owner.address, 2_000n)
    const salt = randomSalt()
    await viaWallet(owner, wallet, f.token, encodeFunctionData({ abi: f.tokenAbi, functionName: 'approve', args: [f.escrow, 1_000n] }))
    await viaWallet(
      owner,
      wallet,
      f.escrow,
      encodeFunctionData({ abi: EvmSession.escrowAbi, functionName: 'open', args: [f.payee.address, f.token, 1_000n, salt, zeroAddress] }),
    )
    const channelId = EvmSession.Channel.computeId({
      payer: wallet,
      payee: f.payee.address,
      token: f.token,
      salt,
      escrow: f.escrow,
      chainId: f.chain.chainId,
    })
    assert.equal((await f.getChannel(channelId)).payer, wallet)
    const good = await f.signVoucher(owner, channelId, 250n)
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 250n, await f.signVoucher(freshKey(), channelId, 250n)] },
      'InvalidSignature',
      { channelId },
    )
    // TestWallet1271 itself would accept the high-s twin; the escrow refuses it for contract signers too.
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 250n, highS(good)] }, 'InvalidSignature', { channelId })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 250n, good] })
    // The wallet can force-close like any payer.
    await viaWallet(
      owner,
      wallet,
      f.escrow,
      encodeFunctionData({ abi: EvmSession.escrowAbi, functionName: 'requestClose', args: [channelId] }),
    )
    assert.notEqual((await f.getChannel(channelId)).closeRequestedAt, 0n)
  })

  test('a contract wallet as authorizedSigner of an EOA payer', async () => {
    const owner = freshKey()
    const wallet = await deployWallet(owner.address, 0n)
    const { channelId } = await f.open({ deposit: 100n, authorizedSigner: wallet })
    await f.rejects(
      f.payee,
      { functionName: 'settle', args: [channelId, 40n, await f.signVoucher(f.payer, channelId, 40n)] },
      'InvalidSignature',
      { channelId },
    )
    await f.send(f.payee, { functionName: 'close', args: [channelId, 40n, await f.signVoucher(owner, channelId, 40n)] })
    assert.equal((await f.getChannel(channelId)).settled, 40n)
  })
})

describe('topUp', () => {
  test('adds to the deposit and emits TopUp', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.approve(f.payer, 50n)
    const receipt = await f.send(f.payer, { functionName: 'topUp', args: [channelId, 50n] })
    assert.equal((await f.getChannel(channelId)).deposit, 150n)
    assert.deepEqual(f.events(receipt, 'TopUp')[0]?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      funder: f.payer.address,
      additionalDeposit: 50n,
      newDeposit: 150n,
    })
    assert.equal(f.events(receipt, 'CloseRequestCancelled').length, 0)
  })

  test('cancels a pending forced close', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    await f.approve(f.payer, 1n)
    const receipt = await f.send(f.payer, { functionName: 'topUp', args: [channelId, 1n] })
    assert.equal(f.events(receipt, 'CloseRequestCancelled').length, 1)
    assert.equal((await f.getChannel(channelId)).closeRequestedAt, 0n)
    await f.testClient.increaseTime({ seconds: Number(grace) })
    await f.rejects(f.payer, { functionName: 'withdraw', args: [channelId] }, 'CloseNotReady', { channelId })
  })

  test('every revert: NotPayer, ZeroDeposit, ChannelNotFound, ChannelFinalized, TransferFailed, DepositOverflow', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.approve(f.payer, 1_000n)
    await f.approve(f.stranger, 1_000n)
    await f.rejects(f.stranger, { functionName: 'topUp', args: [channelId, 10n] }, 'NotPayer', { channelId })
    await f.rejects(f.payee, { functionName: 'topUp', args: [channelId, 10n] }, 'NotPayer', { channelId })
    await f.rejects(f.payer, { functionName: 'topUp', args: [channelId, 0n] }, 'ZeroDeposit', { channelId })
    await f.rejects(f.payer, { functionName: 'topUp', args: [randomSalt(), 10n] }, 'ChannelNotFound')
    await f.approve(f.payer, 0n)
    await f.rejects(f.payer, { functionName: 'topUp', args: [channelId, 10n] }, 'TransferFailed', {
      channelId,
      addresses: [f.payer.address],
    })
    await f.send(f.payee, { functionName: 'close', args: [channelId, 0n, '0x'] })
    await f.approve(f.payer, 10n)
    await f.rejects(f.payer, { functionName: 'topUp', args: [channelId, 10n] }, 'ChannelFinalized', { channelId })

    // A deposit of 2^128 - 1 cannot grow: amounts are uint128 on chain.
    const whale = anvilAccount(6)
    await f.send(anvilAccount(0), { address: f.token, abi: f.tokenAbi, functionName: 'mint', args: [whale.address, maxUint128 + 10n] })
    const big = await f.open({ payer: whale, deposit: maxUint128 })
    await f.approve(whale, 1n)
    await f.rejects(whale, { functionName: 'topUp', args: [big.channelId, 1n] }, 'DepositOverflow', { channelId: big.channelId })
    await f.send(f.payee, { functionName: 'close', args: [big.channelId, 0n, '0x'] })
  })
})

describe('close (cooperative)', () => {
  test('settles the final voucher, refunds the rest, finalizes and emits ChannelClosed', async () => {
    const deposit = 1_000n
    const { channelId } = await f.open({ deposit })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 200n, await f.signVoucher(f.payer, channelId, 200n)] })
    const payee = await f.balanceOf(f.payee.address)
    const payer = await f.balanceOf(f.payer.address)
    const receipt = await f.send(f.payee, { functionName: 'close', args: [channelId, 650n, await f.signVoucher(f.payer, channelId, 650n)] })
    assert.equal(await f.balanceOf(f.payee.address), payee + 450n, 'the payee receives what the final voucher adds')
    assert.equal(await f.balanceOf(f.payer.address), payer + deposit - 650n, 'the payer gets deposit - settled back')
    assert.deepEqual(f.events(receipt, 'ChannelClosed')[0]?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      settledToPayee: 450n,
      refundedToPayer: 350n,
    })
    const channel = await f.getChannel(channelId)
    assert.equal(channel.finalized, true)
    assert.equal(channel.settled, 650n)
    assert.equal(channel.payer, f.payer.address, 'the record is kept')
  })

  test('the forfeit path needs no signature: an amount at or below settled closes with what was settled', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 30n, await f.signVoucher(f.payer, channelId, 30n)] })
    const payer = await f.balanceOf(f.payer.address)
    const receipt = await f.send(f.payee, { functionName: 'close', args: [channelId, 10n, '0x'] })
    assert.equal(await f.balanceOf(f.payer.address), payer + 70n)
    assert.equal(f.events(receipt, 'ChannelClosed')[0]?.args.settledToPayee, 0n)
    assert.equal((await f.getChannel(channelId)).settled, 30n)
  })

  test('every revert: NotPayee, AmountExceedsDeposit, InvalidSignature, ChannelNotFound, ChannelFinalized', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    const watch = { channelId, addresses: [f.payer.address, f.payee.address] }
    const voucher = await f.signVoucher(f.payer, channelId, 60n)
    await f.rejects(f.payer, { functionName: 'close', args: [channelId, 60n, voucher] }, 'NotPayee', watch)
    await f.rejects(f.stranger, { functionName: 'close', args: [channelId, 0n, '0x'] }, 'NotPayee', watch)
    await f.rejects(
      f.payee,
      { functionName: 'close', args: [channelId, 101n, await f.signVoucher(f.payer, channelId, 101n)] },
      'AmountExceedsDeposit',
      watch,
    )
    await f.rejects(f.payee, { functionName: 'close', args: [channelId, 60n, highS(voucher)] }, 'InvalidSignature', watch)
    await f.rejects(f.payee, { functionName: 'close', args: [channelId, 60n, '0x'] }, 'InvalidSignature', watch)
    await f.rejects(f.payee, { functionName: 'close', args: [randomSalt(), 0n, '0x'] }, 'ChannelNotFound')
    await f.send(f.payee, { functionName: 'close', args: [channelId, 60n, voucher] })
    await f.rejects(f.payee, { functionName: 'close', args: [channelId, 60n, voucher] }, 'ChannelFinalized', watch)
  })

  test('a closed channel can never be reopened with the same parameters (sticky finalized, record kept)', async () => {
    const salt = randomSalt()
    const { channelId } = await f.open({ deposit: 100n, salt })
    const oldVoucher = await f.signVoucher(f.payer, channelId, 90n)
    await f.send(f.payee, { functionName: 'close', args: [channelId, 0n, '0x'] })
    await f.approve(f.payer, 100n)
    await f.rejects(f.payer, { functionName: 'open', args: [f.payee.address, f.token, 100n, salt, zeroAddress] }, 'ChannelAlreadyExists', {
      channelId,
      addresses: [f.payer.address],
    })
    // So the old-epoch voucher can never be replayed against a fresh deposit.
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 90n, oldVoucher] }, 'ChannelFinalized', { channelId })
  })
})

describe('forced close: requestClose, grace period, withdraw', () => {
  test('requestClose records the time once and announces the end of the grace period', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    const receipt = await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    const { timestamp } = await f.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    assert.equal((await f.getChannel(channelId)).closeRequestedAt, timestamp)
    assert.deepEqual(f.events(receipt, 'CloseRequested')[0]?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      closeGraceEnd: timestamp + grace,
    })
    await f.testClient.increaseTime({ seconds: 60 })
    const again = await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    assert.equal(f.events(again, 'CloseRequested').length, 0)
    assert.equal((await f.getChannel(channelId)).closeRequestedAt, timestamp, 'asking again does not restart the clock')
  })

  test('requestClose reverts: NotPayer, ChannelNotFound, ChannelFinalized', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.rejects(f.payee, { functionName: 'requestClose', args: [channelId] }, 'NotPayer', { channelId })
    await f.rejects(f.stranger, { functionName: 'requestClose', args: [channelId] }, 'NotPayer', { channelId })
    await f.rejects(f.payer, { functionName: 'requestClose', args: [randomSalt()] }, 'ChannelNotFound')
    await f.send(f.payee, { functionName: 'close', args: [channelId, 0n, '0x'] })
    await f.rejects(f.payer, { functionName: 'requestClose', args: [channelId] }, 'ChannelFinalized', { channelId })
  })

  test('withdraw only after the whole grace period, and only what no settled voucher covers', async () => {
    const deposit = 1_000n
    const { channelId } = await f.open({ deposit })
    const spent = await f.signVoucher(f.payer, channelId, 400n)
    await f.rejects(f.payer, { functionName: 'withdraw', args: [channelId] }, 'CloseNotReady', { channelId })
    const requested = await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    const { timestamp } = await f.publicClient.getBlock({ blockNumber: requested.blockNumber })
    // The server answers within the grace period with its best voucher.
    await f.testClient.increaseTime({ seconds: 300 })
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 400n, spent] })
    await f.testClient.setNextBlockTimestamp({ timestamp: timestamp + grace - 1n })
    await f.rejects(f.payer, { functionName: 'withdraw', args: [channelId] }, 'CloseNotReady', { channelId, addresses: [f.payer.address] })
    await f.rejects(f.payee, { functionName: 'withdraw', args: [channelId] }, 'NotPayer', { channelId })
    const payer = await f.balanceOf(f.payer.address)
    const payee = await f.balanceOf(f.payee.address)
    await f.testClient.setNextBlockTimestamp({ timestamp: timestamp + grace })
    const receipt = await f.send(f.payer, { functionName: 'withdraw', args: [channelId] })
    assert.equal(await f.balanceOf(f.payer.address), payer + deposit - 400n, 'the payer cannot withdraw what the settled voucher covers')
    assert.equal(await f.balanceOf(f.payee.address), payee)
    assert.deepEqual(f.events(receipt, 'ChannelWithdrawn')[0]?.args, {
      channelId,
      payer: f.payer.address,
      payee: f.payee.address,
      refundedToPayer: 600n,
    })
    assert.equal((await f.getChannel(channelId)).finalized, true)
    await f.rejects(f.payer, { functionName: 'withdraw', args: [channelId] }, 'ChannelFinalized', { channelId })
    await f.rejects(f.payee, { functionName: 'settle', args: [channelId, 400n, spent] }, 'ChannelFinalized', { channelId })
    await f.rejects(f.payer, { functionName: 'withdraw', args: [randomSalt()] }, 'ChannelNotFound')
  })

  test('the payee can still close during the grace period; the payer then has nothing left to withdraw', async () => {
    const { channelId } = await f.open({ deposit: 500n })
    await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    await f.send(f.payee, { functionName: 'close', args: [channelId, 120n, await f.signVoucher(f.payer, channelId, 120n)] })
    await f.testClient.increaseTime({ seconds: Number(grace) + 1 })
    // The finalized check stops a second payout from the escrow's pooled balance.
    await f.rejects(f.payer, { functionName: 'withdraw', args: [channelId] }, 'ChannelFinalized', {
      channelId,
      addresses: [f.payer.address],
    })
  })
})

describe('openWithAuthorization (relayed, EIP-3009 receiveWithAuthorization)', () => {
  const openArgs = (
    parameters: { payee?: Address; deposit: bigint; salt: Hex; authorizedSigner?: Address; from: Address },
    signed: Awaited<ReturnType<typeof receiveAuthorization>>,
  ) => [
    parameters.payee ?? f.payee.address,
    f.token,
    parameters.deposit,
    parameters.salt,
    parameters.authorizedSigner ?? zeroAddress,
    parameters.from,
    BigInt(signed.authorization.validAfter),
    BigInt(signed.authorization.validBefore),
    signed.authorization.nonce,
    signed.signature,
  ]

  test("a relayer opens the channel from the payer's signature; the payer spends no gas", async () => {
    const payer = anvilAccount(7)
    const salt = randomSalt()
    const deposit = 2_000n
    const nonce = EvmSession.Channel.openNonce({ from: payer.address, payee: f.payee.address, token: f.token, salt })
    const signed = await receiveAuthorization(payer, { value: deposit, nonce })
    const ethBefore = await f.publicClient.getBalance({ address: payer.address })
    const tokensBefore = await f.balanceOf(payer.address)
    const receipt = await f.send(f.relayer, {
      functionName: 'openWithAuthorization',
      args: openArgs({ deposit, salt, from: payer.address }, signed),
    })
    const channelId = EvmSession.Channel.computeId({
      payer: payer.address,
      payee: f.payee.address,
      token: f.token,
      salt,
      escrow: f.escrow,
      chainId: f.chain.chainId,
    })
    assert.equal(f.events(receipt, 'ChannelOpened')[0]?.args.channelId, channelId)
    const channel = await f.getChannel(channelId)
    assert.equal(channel.payer, payer.address, 'the payer is `from`, not the relayer')
    assert.equal(channel.deposit, deposit)
    assert.equal(await f.balanceOf(payer.address), tokensBefore - deposit)
    assert.equal(await f.publicClient.getBalance({ address: payer.address }), ethBefore)
    // The payer's vouchers settle as on any channel.
    await f.send(f.payee, { functionName: 'settle', args: [channelId, 5n, await f.signVoucher(payer, channelId, 5n)] })
  })

  test('NonceMismatch: a front-runner substituting the payee, salt or signer, or a nonce not derived from them', async () => {
    const salt = randomSalt()
    const nonce = EvmSession.Channel.openNonce({ from: f.payer.address, payee: f.payee.address, token: f.token, salt })
    const signed = await receiveAuthorization(f.payer, { value: 100n, nonce })
    const watch = { addresses: [f.payer.address, f.stranger.address] }
    await f.rejects(
      f.stranger,
      {
        functionName: 'openWithAuthorization',
        args: openArgs({ payee: f.stranger.address, deposit: 100n, salt, from: f.payer.address }, signed),
      },
      'NonceMismatch',
      watch,
    )
    await f.rejects(
      f.stranger,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 100n, salt: randomSalt(), from: f.payer.address }, signed) },
      'NonceMismatch',
      watch,
    )
    await f.rejects(
      f.stranger,
      {
        functionName: 'openWithAuthorization',
        args: openArgs({ deposit: 100n, salt, authorizedSigner: f.stranger.address, from: f.payer.address }, signed),
      },
      'NonceMismatch',
      watch,
    )
    const random = await receiveAuthorization(f.payer, { value: 100n, nonce: randomSalt() })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 100n, salt, from: f.payer.address }, random) },
      'NonceMismatch',
      watch,
    )
    // Nor can the signature be redeemed at the token directly: receiveWithAuthorization insists on msg.sender == to.
    const { authorization, signature } = signed
    const tokenArgs = [
      authorization.from,
      authorization.to,
      BigInt(authorization.value),
      0n,
      BigInt(authorization.validBefore),
      authorization.nonce,
      signature,
    ]
    await f.rejects(
      f.stranger,
      { address: f.token, abi: f.tokenAbi, functionName: 'receiveWithAuthorization', args: tokenArgs },
      'caller must be the payee',
      watch,
    )
    await f.rejects(
      f.stranger,
      { address: f.token, abi: f.tokenAbi, functionName: 'transferWithAuthorization', args: tokenArgs },
      'invalid signature',
      watch,
    )
    // The untouched authorization still opens the intended channel.
    await f.send(f.relayer, {
      functionName: 'openWithAuthorization',
      args: openArgs({ deposit: 100n, salt, from: f.payer.address }, signed),
    })
  })

  test('a changed deposit, an expired or not-yet-valid authorization are refused by the token', async () => {
    const salt = randomSalt()
    const nonce = EvmSession.Channel.openNonce({ from: f.payer.address, payee: f.payee.address, token: f.token, salt })
    const signed = await receiveAuthorization(f.payer, { value: 100n, nonce })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 101n, salt, from: f.payer.address }, signed) },
      'invalid signature',
    )
    const now = await f.now()
    const expired = await receiveAuthorization(f.payer, { value: 100n, nonce, validBefore: now - 1n })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 100n, salt, from: f.payer.address }, expired) },
      'authorization is expired',
    )
    const early = await receiveAuthorization(f.payer, { value: 100n, nonce, validAfter: now + 3600n, validBefore: now + 7200n })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 100n, salt, from: f.payer.address }, early) },
      'not yet valid',
    )
  })

  test('ZeroDeposit, ZeroPayer, and a replayed open is ChannelAlreadyExists', async () => {
    const salt = randomSalt()
    const nonce = EvmSession.Channel.openNonce({ from: f.payer.address, payee: f.payee.address, token: f.token, salt })
    const zero = await receiveAuthorization(f.payer, { value: 0n, nonce })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 0n, salt, from: f.payer.address }, zero) },
      'ZeroDeposit',
    )
    const zeroNonce = EvmSession.Channel.openNonce({ from: zeroAddress, payee: f.payee.address, token: f.token, salt })
    const fromZero = await receiveAuthorization(f.payer, { from: zeroAddress, value: 1n, nonce: zeroNonce })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 1n, salt, from: zeroAddress }, fromZero) },
      'ZeroPayer',
    )
    const signed = await receiveAuthorization(f.payer, { value: 100n, nonce })
    await f.send(f.relayer, {
      functionName: 'openWithAuthorization',
      args: openArgs({ deposit: 100n, salt, from: f.payer.address }, signed),
    })
    await f.rejects(
      f.relayer,
      { functionName: 'openWithAuthorization', args: openArgs({ deposit: 100n, salt, from: f.payer.address }, signed) },
      'ChannelAlreadyExists',
      {
        addresses: [f.payer.address],
      },
    )
  })

  test('a contract-wallet payer opens through its ERC-1271 signature', async () => {
    const owner = anvilAccount(8)
    const wallet = await deployWallet(owner.address, 500n)
    const salt = randomSalt()
    const nonce = EvmSession.Channel.openNonce({ from: wallet, payee: f.payee.address, token: f.token, salt })
    const signed = await receiveAuthorization(owner, { from: wallet, value: 500n, nonce })
    await f.send(f.relayer, { functionName: 'openWithAuthorization', args: openArgs({ deposit: 500n, salt, from: wallet }, signed) })
    assert.equal(await f.balanceOf(wallet), 0n)
  })
})

describe('topUpWithAuthorization (relayed)', () => {
  const topUpArgs = (
    channelId: Hex,
    amount: bigint,
    from: Address,
    topUpSalt: Hex,
    signed: Awaited<ReturnType<typeof receiveAuthorization>>,
  ) => [
    channelId,
    amount,
    from,
    topUpSalt,
    BigInt(signed.authorization.validAfter),
    BigInt(signed.authorization.validBefore),
    signed.authorization.nonce,
    signed.signature,
  ]
  const signTopUp = async (signer: LocalAccount, channelId: Hex, amount: bigint, topUpSalt: Hex) =>
    receiveAuthorization(signer, {
      value: amount,
      nonce: EvmSession.Channel.topUpNonce({ channelId, additionalDeposit: amount, from: signer.address, topUpSalt }),
    })

  test("adds the payer's funds, cancels a pending close, and cannot be replayed", async () => {
    const { channelId } = await f.open({ deposit: 100n })
    await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    const topUpSalt = randomSalt()
    const signed = await signTopUp(f.payer, channelId, 40n, topUpSalt)
    const receipt = await f.send(f.relayer, {
      functionName: 'topUpWithAuthorization',
      args: topUpArgs(channelId, 40n, f.payer.address, topUpSalt, signed),
    })
    assert.equal(f.events(receipt, 'TopUp')[0]?.args.newDeposit, 140n)
    assert.equal(f.events(receipt, 'CloseRequestCancelled').length, 1)
    const channel = await f.getChannel(channelId)
    assert.equal(channel.deposit, 140n)
    assert.equal(channel.closeRequestedAt, 0n)
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 40n, f.payer.address, topUpSalt, signed) },
      'authorization is used',
      { channelId },
    )
  })

  test("a third party may fund a channel; the refund still goes to the payer; it does not cancel the payer's forced close", async () => {
    // Deliberate reading of the spec: were any funder able to cancel a close, the payee could top up 1 unit every
    // grace period and lock the payer's deposit forever. Only the payer's own top-up resets closeRequestedAt.
    const { channelId } = await f.open({ deposit: 100n })
    await f.send(f.payer, { functionName: 'requestClose', args: [channelId] })
    const topUpSalt = randomSalt()
    const signed = await signTopUp(f.stranger, channelId, 25n, topUpSalt)
    const receipt = await f.send(f.payee, {
      functionName: 'topUpWithAuthorization',
      args: topUpArgs(channelId, 25n, f.stranger.address, topUpSalt, signed),
    })
    assert.equal(f.events(receipt, 'TopUp')[0]?.args.funder, f.stranger.address)
    assert.equal(f.events(receipt, 'CloseRequestCancelled').length, 0)
    const channel = await f.getChannel(channelId)
    assert.equal(channel.deposit, 125n)
    assert.notEqual(channel.closeRequestedAt, 0n)
    await f.testClient.increaseTime({ seconds: Number(grace) })
    const payer = await f.balanceOf(f.payer.address)
    await f.send(f.payer, { functionName: 'withdraw', args: [channelId] })
    assert.equal(await f.balanceOf(f.payer.address), payer + 125n)
  })

  test('every revert: NonceMismatch, ZeroDeposit, ChannelNotFound, ChannelFinalized, DepositOverflow', async () => {
    const { channelId } = await f.open({ deposit: 100n })
    const topUpSalt = randomSalt()
    const signed = await signTopUp(f.payer, channelId, 40n, topUpSalt)
    const other = await f.open({ deposit: 100n })
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(other.channelId, 40n, f.payer.address, topUpSalt, signed) },
      'NonceMismatch',
      { channelId: other.channelId },
    )
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 41n, f.payer.address, topUpSalt, signed) },
      'NonceMismatch',
      { channelId },
    )
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 40n, f.payer.address, randomSalt(), signed) },
      'NonceMismatch',
      { channelId },
    )
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 40n, f.stranger.address, topUpSalt, signed) },
      'NonceMismatch',
      { channelId },
    )
    const zero = await signTopUp(f.payer, channelId, 0n, topUpSalt)
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 0n, f.payer.address, topUpSalt, zero) },
      'ZeroDeposit',
      { channelId },
    )
    const unknown = randomSalt()
    const lost = await signTopUp(f.payer, unknown, 40n, topUpSalt)
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(unknown, 40n, f.payer.address, topUpSalt, lost) },
      'ChannelNotFound',
    )
    await f.send(f.payee, { functionName: 'close', args: [channelId, 0n, '0x'] })
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(channelId, 40n, f.payer.address, topUpSalt, signed) },
      'ChannelFinalized',
      { channelId },
    )

    const whale = anvilAccount(9)
    await f.send(anvilAccount(0), { address: f.token, abi: f.tokenAbi, functionName: 'mint', args: [whale.address, maxUint128 + 10n] })
    const big = await f.open({ payer: whale, deposit: maxUint128 })
    const overflow = await signTopUp(whale, big.channelId, 1n, topUpSalt)
    await f.rejects(
      f.relayer,
      { functionName: 'topUpWithAuthorization', args: topUpArgs(big.channelId, 1n, whale.address, topUpSalt, overflow) },
      'DepositOverflow',
      { channelId: big.channelId },
    )
  })
})

test('TestUSDC receiveWithAuthorization: only `to` may redeem it, once', async () => {
  const nonce = randomSalt()
  const to = f.stranger
  const { authorization, signature } = await receiveAuthorization(f.payer, { value: 3n, nonce, to: to.address })
  const args = [authorization.from, authorization.to, 3n, 0n, BigInt(authorization.validBefore), nonce, signature]
  await f.rejects(
    f.relayer,
    { address: f.token, abi: f.tokenAbi, functionName: 'receiveWithAuthorization', args },
    'caller must be the payee',
  )
  const before = await f.balanceOf(to.address)
  await f.send(to, { address: f.token, abi: f.tokenAbi, functionName: 'receiveWithAuthorization', args })
  assert.equal(await f.balanceOf(to.address), before + 3n)
  await f.rejects(to, { address: f.token, abi: f.tokenAbi, functionName: 'receiveWithAuthorization', args }, 'authorization is used')
})
