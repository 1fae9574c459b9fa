// Issue 5 acceptance, the unhappy wallet paths: a declined signature, a short balance, a declined
// network switch, a wallet without typed-data signing (pays by transfer instead) and a settlement
// the server refuses. Each shows a readable message, and nothing moves on chain unless paid.
import { expect, test } from '@playwright/test'
import { createWalletClient, erc20Abi, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { anvilPrivateKey, localChain } from '@/scripts/chain/deploy'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage, openAndConnect, transfersFrom } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

test.describe.serial('wallet checkout failures', () => {
  let stack: Stack

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    stack = await startStack()
  })
  test.afterAll(async () => {
    await stack?.stop()
  })

  const walletFor = (context: Parameters<typeof installInjectedWallet>[0], privateKey: `0x${string}`, startChainId?: number) =>
    installInjectedWallet(context, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey,
      ...(startChainId ? { startChainId } : {}),
    })

  test('a declined signature says nothing was charged, and paying again works', async ({ page }) => {
    const wallet = await walletFor(page, anvilPrivateKey(5))
    const guard = guardPage(page)
    wallet.knobs.rejectSignatures = true
    await openAndConnect(page, stack.url, '/l/demo')
    await page.getByTestId('pay-button').click()
    await expect(page.getByTestId('wallet-notice')).toHaveText('You declined the signature in your wallet. Nothing was charged.')
    await expect(page.getByTestId('pay-button')).toBeEnabled()
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toEqual([])

    wallet.knobs.rejectSignatures = false
    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toHaveLength(1)
    guard.assertClean()
  })

  test('a short balance stops before anything is signed', async ({ page }) => {
    // A fresh account: no USDC (and no ETH) on the test chain.
    const wallet = await walletFor(page, generatePrivateKey())
    await openAndConnect(page, stack.url, '/l/demo')
    await expect(page.getByTestId('wallet-notice')).toHaveText(
      'This account holds 0.00 USDC on Local test chain, less than the 0.01 USDC this costs. Add funds or switch to another account; nothing was charged.',
    )
    await expect(page.getByTestId('pay-button')).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Check balance again' })).toBeVisible()
    expect(wallet.calls).not.toContain('eth_signTypedData_v4')
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toEqual([])
  })

  test('a declined network switch explains what to do; switching later continues', async ({ page }) => {
    const wallet = await walletFor(page, anvilPrivateKey(6), 1)
    wallet.knobs.rejectChainSwitch = true
    await openAndConnect(page, stack.url, '/l/demo')
    await expect(page.getByTestId('wallet-notice')).toHaveText(
      'Your wallet is on another network. Switch it to Local test chain to pay; nothing was charged.',
    )
    wallet.knobs.rejectChainSwitch = false
    await page.getByRole('button', { name: 'Switch to Local test chain' }).click()
    await expect(page.getByTestId('pay-button')).toBeEnabled()
    await expect(page.getByTestId('wallet-notice')).toHaveCount(0)
  })

  test('a wallet that cannot sign typed data pays by sending the transfer itself', async ({ page }) => {
    const wallet = await walletFor(page, anvilPrivateKey(7))
    wallet.knobs.refuseTypedData = true
    await openAndConnect(page, stack.url, '/l/demo')
    await page.getByTestId('pay-button').click()
    await expect(page.getByTestId('wallet-notice')).toContainText(
      'Your wallet cannot sign payment authorizations. You can send the transfer from your wallet instead',
    )
    await page.getByTestId('pay-transfer-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    const transfers = await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)
    expect(transfers).toEqual([{ to: stack.merchant, value: 10_000n }])
    await expect(page.getByTestId('receipt-reference')).toHaveText(/^0x[0-9a-f]{64}$/)
    expect(wallet.calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(1)
  })

  test('a settlement the server refuses shows its reason and moves nothing', async ({ page }) => {
    const key = anvilPrivateKey(8)
    const wallet = await walletFor(page, key)
    await openAndConnect(page, stack.url, '/l/demo')
    await expect(page.getByTestId('pay-button')).toBeEnabled()
    // The funds leave the account after the balance check, before the payer clicks Pay.
    const chain = localChain(stack.chain.rpcUrl, stack.chain.chainId)
    const drain = createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(stack.chain.rpcUrl) })
    const elsewhere = privateKeyToAccount(generatePrivateKey()).address
    await drain.writeContract({ address: stack.chain.token, abi: erc20Abi, functionName: 'transfer', args: [elsewhere, 1000n * 10n ** 6n] })
    await page.getByTestId('pay-button').click()
    await expect(page.getByTestId('wallet-notice')).toContainText('The payment did not go through: ')
    await expect(page.getByTestId('wallet-notice')).toContainText('Nothing was charged.')
    const transfers = await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)
    expect(transfers.filter((t) => t.to === stack.merchant)).toEqual([])
  })
})
